// SIGTERM / SIGINT in the middle of an export, and a second run on the same backup_dir.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Simulator } from '../sim/index';
import { ensureBundle, runCli, snapshotUuids, startCli, startPool, tempDir, workspace } from './helpers';

let sim: Simulator;
before(async () => {
  ensureBundle();
  sim = await startPool({
    name: 'signals',
    vms: [
      { name: 'big01', disks: [{ size: '16MiB', used: 1 }] },
      { name: 'small02', disks: [{ size: '1MiB' }] },
    ],
  });
});
after(async () => sim.close());
afterEach(() => {
  sim.faults.reset();
  sim.timing.set('instant');
});

/** Resolves once `predicate` holds for the simulator's state (checked at every change). */
async function serverSees(predicate: () => boolean, what: string, ms = 20000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await sim.state.waitForChange(Math.max(1, deadline - Date.now()));
  }
}

function refOf(name: string): string {
  return sim.state.entries('VM').find(([, r]) => r.name_label === name && !r.is_a_snapshot)![0];
}

function busyWith(cls: string, ref: string, op: string): boolean {
  return Object.values((sim.state.get(cls, ref)?.current_operations ?? {}) as Record<string, string>).includes(op);
}

for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
  test(`${signal} mid-export: snapshot and partial folder removed, status log written, exit 2`, async () => {
    const ws = workspace();
    const before = snapshotUuids(sim);
    sim.faults.set({ exportBytesPerSecond: 512 * 1024 });
    const cfg = ws.writeConfig(['vm-export=big01', 'vm-export=small02']);
    const run = startCli(sim, [cfg]);
    await run.waitFor(/^\S+ - 3\.cmd: \/opt\/xensource\/bin\/xe vm-export /);
    // A positive signal, not a pause: the server streams the snapshot's export (export.ml lock_vm).
    await serverSees(
      () =>
        sim.state.entries('VM').some(([ref, r]) => r.name_label === 'RESTORE_big01' && busyWith('VM', ref, 'export')),
      'the export of RESTORE_big01 is in progress',
    );
    assert.ok(snapshotUuids(sim).length > before.length, 'the export is running from a snapshot');
    run.child.kill(signal);
    const result = await run.done;
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.deepEqual(snapshotUuids(sim), before, 'snapshot removed');
    const vmDir = join(ws.backupDir, 'big01');
    assert.deepEqual(existsSync(vmDir) ? readdirSync(vmDir) : [], [], 'partial folder removed');
    assert.ok(!existsSync(join(ws.backupDir, 'small02')), 'no new VM started after the signal');
    const log = readFileSync(ws.statusLog, 'utf8');
    assert.match(log, /,vm-export,[^,]+,end,INTERRUPTED big01\n/);
    assert.match(log, /,vmbackup\.py,[^,]+,end,ERROR,S:0 W:0 E:1\n$/);
    assert.match(result.stdout, /VmBackup ended - \*\*ERRORS DETECTED\*\*/);
    assert.ok(!existsSync(join(ws.backupDir, '.vmbackup.lock')), 'lock released');
  });
}

for (const step of ['vm-snapshot', 'vdi-snapshot'] as const) {
  test(`SIGTERM during xe ${step}: the snapshot the server still makes is removed, truthfully logged`, async () => {
    const ws = workspace();
    const before = snapshotUuids(sim);
    sim.timing.set({ snapshotMs: 1500 });
    const vm = refOf('small02');
    const vbd = (sim.state.get('VM', vm)!.VBDs as string[])[0]!;
    const [cls, ref] = step === 'vm-snapshot' ? ['VM', vm] : ['VDI', String(sim.state.get('VBD', vbd)!.VDI)];
    const run = startCli(sim, [ws.writeConfig([step === 'vm-snapshot' ? 'vm-export=small02' : 'vdi-export=small02'])]);
    // Positive signal: the server is making the snapshot (`snapshot` in current_operations).
    await serverSees(() => busyWith(cls, ref, 'snapshot'), `the server is making the ${step}`);
    run.child.kill('SIGTERM');
    const result = await run.done;
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.deepEqual(snapshotUuids(sim), before, 'no snapshot left, named or not');
    assert.match(result.stdout, /snap-uuid: [0-9a-f-]{36}/, 'the snapshot was registered');
    assert.match(result.stdout, /stopped cleanly, snapshots removed/);
    assert.doesNotMatch(result.stdout, /NOT removed/);
    assert.match(
      readFileSync(ws.statusLog, 'utf8'),
      new RegExp(`,${step === 'vm-snapshot' ? 'vm' : 'vdi'}-export,[^,]+,end,INTERRUPTED small02\n`),
    );
  });
}

test(
  'SIGKILL mid-export: no xe password file at any time, the orphaned xe vm-export stops, the next run ' +
    'removes the leftover',
  async () => {
    const ws = workspace();
    const privateTmp = tempDir('vmbackup-tmpdir-');
    const before = snapshotUuids(sim);
    sim.faults.set({ exportBytesPerSecond: 256 * 1024 });
    const cfg = ws.writeConfig(['vm-export=big01']);
    const run = startCli(sim, [cfg], { TMPDIR: privateTmp });
    const leftover = () => sim.state.entries('VM').find(([, r]) => r.name_label === 'RESTORE_big01');
    // Positive signal: the server is streaming the export of the run's snapshot.
    await serverSees(() => {
      const snap = leftover();
      return snap !== undefined && busyWith('VM', snap[0], 'export');
    }, 'the export is streaming');
    assert.deepEqual(readdirSync(privateTmp), [], 'no password file (vmbackup-xe-*/pwf) while running');
    run.child.kill('SIGKILL');
    await run.done;
    const [ref] = leftover()!;
    // The orphan stops: its connection closes, the server ends the export (and its operation).
    await serverSees(() => !busyWith('VM', ref, 'export'), 'the orphaned xe vm-export stopped');
    assert.deepEqual(readdirSync(privateTmp), [], 'nothing left in the temp directory');
    sim.faults.reset();
    const next = await runCli(sim, [cfg]);
    assert.ok(next.code === 0 || next.code === 1, next.stdout + next.stderr);
    assert.match(next.stdout, /cleanup old-snap-vm-uuid: /, "the dead run's snapshot is a leftover");
    assert.deepEqual(snapshotUuids(sim), before);
  },
);

test('a second run on the same backup_dir is refused while the first runs', async () => {
  const ws = workspace();
  sim.faults.set({ exportBytesPerSecond: 512 * 1024 });
  const cfg = ws.writeConfig(['vm-export=big01']);
  const first = startCli(sim, [cfg]);
  await first.waitFor(/^\S+ - 3\.cmd: \/opt\/xensource\/bin\/xe vm-export /);
  const second = await runCli(sim, [cfg]);
  assert.equal(second.code, 2, second.stdout);
  assert.match(second.stdout, /another vmbackup run is using this backup directory/);
  assert.doesNotMatch(second.stdout, /new backup_dir:/, 'the refused run created nothing');
  first.child.kill('SIGTERM');
  assert.equal((await first.done).code, 2);
  sim.faults.reset();
  // The lock went with the first run: the next run works.
  const third = await runCli(sim, [cfg]);
  assert.equal(third.code, 0, third.stdout);
  const folders = readdirSync(join(ws.backupDir, 'big01'));
  assert.equal(folders.length, 1);
  assert.ok(existsSync(join(ws.backupDir, 'big01', folders[0]!, 'success')));
});
