// `vmbackup restore` of metadata-export backups: `xe vm-import metadata=true` brings the VM
// record back, and a metadata import finds the recorded disks in their SR (xapi import.ml
// handle_vdi, as test/sim/http/import-objects.ts follows it): they must still be there, and the
// backed-up VM must be gone (else both VMs would share its disks), so that case is refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Simulator } from '../sim/index';
import { destroyVdi, destroyVm } from '../sim/ops';
import { ensureBundle, runCli, startPool, workspace, type Workspace } from '../runner/helpers';
import { backUp, restoreReport, vmCount, vmDisks, vmsNamed } from './helpers';

let sim: Simulator;
let ws: Workspace;
before(async () => {
  ensureBundle();
  sim = await startPool({
    name: 'restore-meta',
    vms: [
      { name: 'meta01', power: 'Halted', disks: [{ size: '2MiB', used: 1 }, { size: '1MiB' }] },
      { name: 'meta02', power: 'Halted', disks: [{ size: '1MiB', used: 1 }] },
    ],
  });
  ws = workspace();
});
after(async () => sim.close());

test('metadata-export: refused while the backed-up VM is in the pool (--preserve: it would be replaced)', async () => {
  const folder = await backUp(sim, ws, ['metadata-export=meta01'], 'meta01');
  const count = vmCount(sim);
  const refused = await runCli(sim, ['restore', folder, '--name', 'meta01 again']);
  assert.equal(refused.code, 2, refused.stdout);
  assert.match(refused.stdout, /metadata-export backup of VM "meta01"/);
  assert.match(refused.stdout, /is still in the pool: a metadata restore would give the new VM that VM's own disks/);
  const preserve = await runCli(sim, ['restore', folder, '--name', 'meta01 again', '--preserve']);
  assert.equal(preserve.code, 2, preserve.stdout);
  assert.match(preserve.stdout, /--preserve keeps the backed-up VM's uuid .* xapi's import would replace it/);
  assert.equal(vmCount(sim), count);
});

test('metadata-export: the VM record comes back (--preserve: same uuid) with the disks still in the SR', async () => {
  const folder = await backUp(sim, ws, ['metadata-export=meta01'], 'meta01');
  const [gone] = vmsNamed(sim, 'meta01');
  const uuid = String(sim.state.get('VM', gone!)!.uuid);
  const disks = vmDisks(sim, gone!);
  destroyVm(sim.state, gone!); // the VM record is lost; its disks stay in their SR
  const result = await runCli(sim, ['restore', folder, '--preserve', '--json']);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const [back] = vmsNamed(sim, 'meta01');
  assert.ok(back);
  assert.equal(sim.state.get('VM', back)!.uuid, uuid);
  assert.deepEqual(vmDisks(sim, back), disks, 'the same VDIs, attached again');
  const report = restoreReport(result.stdout);
  assert.equal(report.kind, 'metadata-export');
  assert.equal(report.newUuid, uuid);
});

test('metadata-export: a disk that is gone fails the import (VDI_LOCATION_MISSING), nothing is made', async () => {
  const folder = await backUp(sim, ws, ['metadata-export=meta02'], 'meta02');
  const [gone] = vmsNamed(sim, 'meta02');
  const disks = vmDisks(sim, gone!);
  destroyVm(sim.state, gone!);
  for (const vdi of disks) destroyVdi(sim.state, vdi);
  const count = vmCount(sim);
  const result = await runCli(sim, ['restore', folder]);
  assert.equal(result.code, 2, result.stdout);
  assert.match(
    result.stdout,
    /ERROR xe vm-import filename=.* metadata=true failed: .*VDI could not be found in the specified SR/,
  );
  assert.match(result.stdout, /holds the VM record only: .* every one of them must still be there/);
  assert.equal(vmCount(sim), count);
});
