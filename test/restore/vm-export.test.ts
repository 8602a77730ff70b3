// `vmbackup restore` of vm-export backups (.xva, .xva.gz, .xva.zst): back a VM up, restore it
// as a new VM, and the new VM's disks hold the same bytes (issue 13's done-when). Also: a name
// clash stops before any change, --dry-run changes nothing, an unmarked backup is refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Simulator } from '../sim/index';
import { failure } from '../sim/errors';
import { ensureBundle, runCli, startPool, workspace, type Workspace } from '../runner/helpers';
import { backUp, restoreReport, vdiHash, vmCount, vmDisks, vmsNamed } from './helpers';

let sim: Simulator;
let ws: Workspace;
before(async () => {
  ensureBundle();
  sim = await startPool({
    name: 'restore',
    vms: [
      {
        name: 'web01',
        disks: [
          { size: '3MiB', used: 0.7 },
          { size: '2MiB', used: 1 },
        ],
      },
    ],
  });
  ws = workspace();
});
after(async () => sim.close());

function originalHashes(): { size: number; sha256: string }[] {
  const [web01] = vmsNamed(sim, 'web01');
  return vmDisks(sim, web01!).map((vdi) => vdiHash(sim, vdi));
}

for (const compress of ['false', 'gzip', 'zstd'] as const) {
  test(`vm-export (compress=${compress}) restored as a new VM has identical disk bytes`, async () => {
    const folder = await backUp(sim, ws, [`compress=${compress}`, 'vm-export=web01'], 'web01');
    const name = `web01-restored-${compress}`;
    const result = await runCli(sim, ['restore', folder, '--name', name, '--json']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const [restored] = vmsNamed(sim, name);
    assert.ok(restored, `a VM named ${name}`);
    assert.deepEqual(
      vmDisks(sim, restored).map((vdi) => vdiHash(sim, vdi)),
      originalHashes(),
    );
    const report = restoreReport(result.stdout);
    assert.equal(report.kind, 'vm-export');
    assert.equal(report.newName, name);
    assert.equal(report.newUuid, sim.state.get('VM', restored)!.uuid);
    assert.equal(report.outcome, 'success');
    assert.equal(vmsNamed(sim, 'web01').length, 1, 'the original VM is untouched');
  });
}

test('a name clash stops the restore before any change (the default name is the backed-up VM)', async () => {
  const folder = await backUp(sim, ws, ['vm-export=web01'], 'web01');
  const count = vmCount(sim);
  const result = await runCli(sim, ['restore', folder]);
  assert.equal(result.code, 2, result.stdout);
  assert.match(result.stdout, /a VM named "web01" already exists \(uuid [0-9a-f-]+\): restore never replaces/);
  assert.match(result.stdout, /--name NEW_NAME/);
  assert.equal(vmCount(sim), count, 'no VM imported');
});

test('--dry-run prints the xe steps (those of --start too) and changes nothing', async () => {
  const folder = await backUp(sim, ws, ['vm-export=web01'], 'web01');
  const count = vmCount(sim);
  const dry = await runCli(sim, ['restore', folder, '--name', 'web01-dry', '--start', '--dry-run']);
  assert.equal(dry.code, 0, dry.stdout + dry.stderr);
  assert.match(dry.stdout, /\[dry-run\] would run: xe vm-import filename='[^']*\/web01\/backup-[^']*\/web01\.xva'\n/);
  assert.match(dry.stdout, /\[dry-run\] would run: xe vm-param-set uuid=<new-vm-uuid> name-label=web01-dry/);
  assert.match(dry.stdout, /\[dry-run\] would run: xe vm-start uuid=<new-vm-uuid>/);
  assert.equal(vmCount(sim), count, 'nothing imported');
  assert.deepEqual(vmsNamed(sim, 'web01-dry'), []);
});

test('a backup folder without a success marker is refused, and restored with --force', async () => {
  const folder = await backUp(sim, ws, ['vm-export=web01'], 'web01');
  rmSync(join(folder, 'success'));
  const count = vmCount(sim);
  const refused = await runCli(sim, ['restore', folder, '--name', 'web01-unmarked']);
  assert.equal(refused.code, 2, refused.stdout);
  assert.match(refused.stdout, /has no success marker: that backup did not finish .* anyway with --force/);
  assert.equal(vmCount(sim), count);
  const forced = await runCli(sim, ['restore', folder, '--name', 'web01-unmarked', '--force']);
  assert.equal(forced.code, 0, forced.stdout);
  assert.match(forced.stdout, /WARNING .* has no success marker; restoring it because of --force/);
  assert.equal(vmsNamed(sim, 'web01-unmarked').length, 1);
  assert.ok(existsSync(folder));
});

test('a VM folder stands for its newest good backup; a folder with no export is no backup', async () => {
  await backUp(sim, ws, ['vm-export=web01'], 'web01');
  const result = await runCli(sim, ['restore', join(ws.backupDir, 'web01'), '--name', 'web01-newest', '--json']);
  assert.equal(result.code, 0, result.stdout);
  assert.match(String(restoreReport(result.stdout).folder), /\/web01\/backup-\d{4}-/);
  const none = await runCli(sim, ['restore', ws.dir]);
  assert.equal(none.code, 2);
  assert.match(none.stdout, /holds no export file/);
});

test('a VM that cannot be named is removed again with its disks: no second VM under the backed-up name', async () => {
  const folder = await backUp(sim, ws, ['vm-export=web01'], 'web01');
  const vms = vmCount(sim);
  const vdis = sim.state.entries('VDI').length;
  const update = sim.state.update.bind(sim.state);
  // A test fault on the real simulator: renaming to this name fails as xapi fails a call.
  sim.state.update = (cls, ref, patch) => {
    if (cls === 'VM' && patch.name_label === 'web01-unnamed') throw failure('OPERATION_NOT_ALLOWED', 'test fault');
    update(cls, ref, patch);
  };
  try {
    const result = await runCli(sim, ['restore', folder, '--name', 'web01-unnamed']);
    assert.equal(result.code, 2, result.stdout);
    assert.match(result.stdout, /ERROR xe vm-param-set uuid=[0-9a-f-]+ name-label=web01-unnamed failed: .*not allowed/);
    assert.match(result.stdout, /removed the unfinished restore \(VM [0-9a-f-]+\)/);
  } finally {
    sim.state.update = update;
  }
  assert.equal(vmCount(sim), vms);
  assert.equal(sim.state.entries('VDI').length, vdis, 'its disks are gone too');
  assert.equal(vmsNamed(sim, 'web01').length, 1);
});

test('--start starts the restored VM; a start that fails leaves the restored VM in place, exit 2', async () => {
  const folder = await backUp(sim, ws, ['vm-export=web01'], 'web01');
  const started = await runCli(sim, ['restore', folder, '--name', 'web01-started', '--start', '--json']);
  assert.equal(started.code, 0, started.stdout);
  assert.equal(sim.state.get('VM', vmsNamed(sim, 'web01-started')[0]!)!.power_state, 'Running');
  assert.equal(restoreReport(started.stdout).started, true);
  const update = sim.state.update.bind(sim.state);
  // A test fault on the real simulator: this VM cannot start (as VM.start fails in xapi).
  sim.state.update = (cls, ref, patch) => {
    const name = sim.state.get(cls, ref)?.name_label;
    if (cls === 'VM' && name === 'web01-cold' && patch.power_state === 'Running') {
      throw failure('NO_HOSTS_AVAILABLE');
    }
    update(cls, ref, patch);
  };
  try {
    const cold = await runCli(sim, ['restore', folder, '--name', 'web01-cold', '--start', '--json']);
    assert.equal(cold.code, 2, cold.stdout);
    assert.match(cold.stdout, /ERROR the VM is restored \([0-9a-f-]+\) but did not start: xe vm-start uuid=/);
    const report = restoreReport(cold.stdout);
    const [cold01] = vmsNamed(sim, 'web01-cold');
    assert.ok(cold01, 'the restored VM stays');
    assert.equal(report.newUuid, sim.state.get('VM', cold01)!.uuid);
    assert.equal(report.started, false);
  } finally {
    sim.state.update = update;
  }
});
