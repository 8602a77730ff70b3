// `vmbackup restore` of vm-export backups (.xva, .xva.gz, .xva.zst): back a VM up, restore it
// as a new VM, and the new VM's disks hold the same bytes (issue 13's done-when). Also: a name
// clash stops before any change, --dry-run changes nothing, an unmarked backup is refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Simulator } from '../sim/index';
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
