// Every fault of the simulator: no snapshot left behind, no partial folder (and certainly
// none marked success), the right status-log record and exit code.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '../sim/index';
import { ensureBundle, runCli, snapshotUuids, startCli, startPool, workspace, type Workspace } from './helpers';

let sim: Simulator;
before(async () => {
  ensureBundle();
  sim = await startPool({
    name: 'faults',
    vms: [
      { name: 'web01', disks: [{ size: '4MiB', used: 1 }] },
      { name: 'db01', disks: [{ size: '4MiB', used: 1 }] },
    ],
  });
});
after(async () => sim.close());
afterEach(() => sim.faults.reset());

/** Backup folders of a VM, and whether any of them claims success. */
function backups(ws: Workspace, vm: string): { count: number; marked: number } {
  const dir = join(ws.backupDir, vm);
  if (!existsSync(dir)) return { count: 0, marked: 0 };
  const folders = readdirSync(dir);
  return { count: folders.length, marked: folders.filter((f) => existsSync(join(dir, f, 'success'))).length };
}

async function failingRun(ws: Workspace, lines: string[], words: string[] = []) {
  const before = snapshotUuids(sim);
  const cfg = ws.writeConfig(lines);
  const result = await runCli(sim, [cfg, ...words]);
  assert.deepEqual(snapshotUuids(sim), before, 'no snapshot left behind');
  return result;
}

test('snapshot failure: SNAPSHOT-FAIL, no folder, exit 2, the next VM still runs', async () => {
  const ws = workspace();
  sim.faults.set({ snapshotFailure: true });
  const result = await failingRun(ws, ['vm-export=web01']);
  assert.equal(result.code, 2, result.stdout);
  assert.deepEqual(backups(ws, 'web01'), { count: 0, marked: 0 });
  const log = readFileSync(ws.statusLog, 'utf8');
  assert.match(log, /,vm-export,[^,]+,end,SNAPSHOT-FAIL web01\n/);
  assert.match(log, /,vmbackup\.py,[^,]+,end,ERROR,S:0 W:0 E:1\n$/);
  assert.match(result.stdout, /SR_BACKEND_FAILURE_44|insufficient space/);
});

test('export stream cut (VDI_IO_ERROR): VM-EXPORT-FAIL, snapshot removed, partial folder removed', async () => {
  const ws = workspace();
  sim.faults.set({ exportFailAfterBytes: 100_000 });
  const result = await failingRun(ws, ['vm-export=web01', 'vdi-export=db01']);
  assert.equal(result.code, 2, result.stdout);
  assert.deepEqual(backups(ws, 'web01'), { count: 0, marked: 0 });
  assert.deepEqual(backups(ws, 'db01'), { count: 0, marked: 0 });
  const log = readFileSync(ws.statusLog, 'utf8');
  assert.match(log, /,vm-export,[^,]+,end,VM-EXPORT-FAIL web01\n/);
  assert.match(log, /,vdi-export,[^,]+,end,VDI-EXPORT-FAIL db01\n/);
  assert.match(log, /end,ERROR,S:0 W:0 E:2\n$/);
});

test('backup disk full while writing: VM-EXPORT-FAIL, nothing marked success', async () => {
  const ws = workspace();
  sim.faults.set({ outputDiskFullAfterBytes: 200_000 });
  const result = await failingRun(ws, ['vm-export=web01'], ['compress=true']);
  assert.equal(result.code, 2, result.stdout);
  assert.deepEqual(backups(ws, 'web01'), { count: 0, marked: 0 });
  assert.match(readFileSync(ws.statusLog, 'utf8'), /end,VM-EXPORT-FAIL web01\n/);
});

test('a failure on one VM leaves the good backups of the others', async () => {
  const ws = workspace();
  const dup = sim.faults.addDuplicateName('db01');
  try {
    const result = await failingRun(ws, ['vm-export=web01', 'vm-export=db01']);
    assert.equal(result.code, 2, result.stdout);
    assert.deepEqual(backups(ws, 'web01'), { count: 1, marked: 1 });
    assert.deepEqual(backups(ws, 'db01'), { count: 0, marked: 0 });
    const log = readFileSync(ws.statusLog, 'utf8');
    assert.match(log, /end,SUCCESS web01,elapse:0 size:0G\n/);
    assert.match(log, /end,ERROR verify_vm_name db01\n/);
    assert.match(log, /end,ERROR,S:1 W:0 E:1\n$/);
    assert.match(result.stdout, /ERROR more than one vm with the name db01/);
  } finally {
    const ref = sim.state.findByUuid('VM', dup);
    if (ref) sim.state.destroy('VM', ref);
  }
});

test('XenAPI unreachable: clear error, status log records the failed run, exit 2', async () => {
  const ws = workspace();
  sim.faults.set({ xapiDown: true });
  const cfg = ws.writeConfig(['vm-export=web01']);
  const result = await runCli(sim, [cfg]);
  sim.faults.reset();
  assert.equal(result.code, 2);
  assert.match(result.stdout, /ERROR cannot log in to XenAPI at http:\/\/127\.0\.0\.1:\d+/);
  assert.doesNotMatch(result.stdout + result.stderr, /\n\s+at .*\(.*:\d+:\d+\)/, 'no stack trace');
  assert.match(readFileSync(ws.statusLog, 'utf8'), /,vmbackup\.py,[^,]+,end,ERROR,S:0 W:0 E:1\n$/);
});

test('wrong password: authentication failure named, exit 2', async () => {
  const ws = workspace();
  const cfg = ws.writeConfig(['vm-export=web01']);
  const result = await runCli(sim, [cfg], { VMBACKUP_PASSWORD: 'wrong' });
  assert.equal(result.code, 2);
  assert.match(result.stdout, /authentication failed/);
  assert.deepEqual(readdirSync(ws.backupDir), []);
});

test('leftover RESTORE_ snapshot of an earlier crashed run is removed first', async () => {
  const ws = workspace();
  const before = snapshotUuids(sim);
  sim.addVm({ name: 'crashed', disks: [{ size: '1MiB' }], snapshots: ['RESTORE_crashed'] });
  const withLeftover = snapshotUuids(sim);
  assert.ok(withLeftover.length > before.length);
  const cfg = ws.writeConfig(['vm-export=crashed']);
  const result = await runCli(sim, [cfg]);
  assert.equal(result.code, 0, result.stdout);
  assert.match(result.stdout, /cleanup old-snap-vm-uuid: /);
  assert.deepEqual(snapshotUuids(sim), before);
});

test('--json: the event stream of a slow run (progress with bytes, vm-start/vm-end, run-end last)', async () => {
  const ws = workspace();
  sim.faults.set({ exportBytesPerSecond: 1024 * 1024 });
  const result = await runCli(sim, ['--json', ws.writeConfig(['vm-export=web01'])]);
  assert.equal(result.code, 0, result.stdout);
  const events = result.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const types = events.map((e) => e.type);
  assert.equal(types[0], 'run-start');
  assert.equal(types.at(-1), 'run-end');
  assert.ok(types.indexOf('vm-start') < types.indexOf('vm-end'));
  const progress = events.filter((e) => e.type === 'progress');
  assert.ok(progress.length >= 1, 'progress while exporting');
  assert.ok(progress.every((p) => p.vm === 'web01' && typeof p.bytes === 'number'));
  const end = events.find((e) => e.type === 'vm-end')!;
  assert.equal(end.outcome, 'success');
  assert.ok((end.bytes as number) > 0);
  assert.match(String(end.folder), /web01\/backup-\d{4}-\d{2}-\d{2}-\(\d{2}:\d{2}:\d{2}\)$/);
  assert.deepEqual(events.at(-1)!.summary, { success: 1, warning: 0, error: 0 });
  assert.equal(events.at(-1)!.exitCode, 0);
});

test('XenAPI goes down during an export and comes back: VM-EXPORT-FAIL, snapshot still removed (retried)', async () => {
  const ws = workspace();
  const before = snapshotUuids(sim);
  sim.faults.set({ exportBytesPerSecond: 1024 * 1024 });
  const run = startCli(sim, [ws.writeConfig(['vm-export=web01'])]);
  await run.waitFor(/^\S+ - 3\.cmd: \/opt\/xensource\/bin\/xe vm-export /);
  // Positive signals, not pauses: XenAPI goes down while the server streams the snapshot's
  // export, and comes back once the runner has reported the failed export.
  const exporting = () =>
    sim.state
      .entries('VM')
      .some(
        ([, r]) => r.name_label === 'RESTORE_web01' && Object.values(r.current_operations ?? {}).includes('export'),
      );
  while (!exporting()) await sim.state.waitForChange(1000);
  sim.faults.set({ xapiDown: true });
  await run.waitFor(/ERROR \S*xe vm-export /);
  sim.faults.reset();
  const result = await run.done;
  assert.equal(result.code, 2, result.stdout);
  assert.deepEqual(snapshotUuids(sim), before, 'the snapshot was removed once XenAPI answered again');
  assert.deepEqual(backups(ws, 'web01'), { count: 0, marked: 0 });
  assert.match(readFileSync(ws.statusLog, 'utf8'), /end,VM-EXPORT-FAIL web01\n/);
});

test('sessions expire in the middle of a run: the client logs in again, the run succeeds', async () => {
  const ws = workspace();
  sim.faults.set({ exportBytesPerSecond: 2 * 1024 * 1024 });
  const run = startCli(sim, [ws.writeConfig(['vm-export=web01', 'vm-export=db01'])]);
  await run.waitFor(/^\S+ - 3\.cmd: \/opt\/xensource\/bin\/xe vm-export /);
  sim.faults.expireSessions();
  const result = await run.done;
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.deepEqual(backups(ws, 'db01'), { count: 1, marked: 1 });
});

test('HOST_IS_SLAVE: pointed at a pool member, the XenAPI client follows to the master', async () => {
  const pool = await startSimulator({
    fixture: { name: 'slave', vms: [{ name: 'web01', disks: [{ size: '1MiB' }] }] },
    slavePort: true,
  });
  try {
    assert.ok(pool.slaveUrl);
    const ws = workspace();
    const child = startCli({ ...pool, url: pool.slaveUrl! }, [ws.writeConfig(['vm-export=web01']), 'preview']);
    const result = await child.done;
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, / {2}vm-export: web01\n/);
  } finally {
    await pool.close();
  }
});
