// The xapi transport stopped by a signal mid-export (issue 14): the download's task is
// cancelled through task.cancel (the handler stops at its next piece: export.ml checks the
// task while streaming, as test/sim/http/handlers.ts bodyOptions.check), the stream closed,
// the snapshot and the partial folder removed, the status log written, exit 2.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Simulator } from '../sim/index';
import { ensureBundle, snapshotUuids, startPool, workspace } from './helpers';
import { startXapiCli } from './xapi-helpers';

let sim: Simulator;
before(async () => {
  ensureBundle();
  sim = await startPool({
    name: 'agentless-signals',
    vms: [
      { name: 'big01', disks: [{ size: '16MiB', used: 1 }] },
      { name: 'small02', disks: [{ size: '1MiB' }] },
    ],
  });
});
after(async () => sim.close());
afterEach(() => sim.faults.reset());

/** Resolves once `predicate` holds for the simulator's state (checked at every change). */
async function serverSees(predicate: () => boolean, what: string, ms = 20000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await sim.state.waitForChange(Math.max(1, deadline - Date.now()));
  }
}

const busyWith = (cls: string, ref: string, op: string) =>
  Object.values((sim.state.get(cls, ref)?.current_operations ?? {}) as Record<string, string>).includes(op);

for (const [signal, kind] of [
  ['SIGTERM', 'vm-export'],
  ['SIGINT', 'vdi-export'],
] as const) {
  test(`${signal} mid-${kind} (xapi): task cancelled, 0 snapshots, partial folder removed, exit 2`, async () => {
    const ws = workspace();
    const before = snapshotUuids(sim);
    sim.faults.set({ exportBytesPerSecond: 512 * 1024 });
    const run = startXapiCli(sim, [ws.writeConfig([`${kind}=big01`, 'vm-export=small02'])]);
    // A positive signal, not a pause: the server streams the snapshot's export under our task.
    const exportTask = () =>
      sim.state
        .entries('task')
        .find(([, r]) => /^(Export of VM|VDI export)$/.test(String(r.name_label)) && r.status === 'pending');
    let task = '';
    await serverSees(() => {
      const found = exportTask();
      if (found && Number(found[1].progress) > 0) task = found[0];
      return task !== '';
    }, "the export streams under the run's task");
    run.child.kill(signal);
    const result = await run.done;
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.deepEqual(snapshotUuids(sim), before, 'snapshot removed');
    assert.ok(!sim.state.has('task', task) || sim.state.get('task', task)!.status === 'cancelled', 'task cancelled');
    for (const [ref] of sim.state.entries('VM')) assert.ok(!busyWith('VM', ref, 'export'), 'no export left running');
    const vmDir = join(ws.backupDir, 'big01');
    assert.deepEqual(existsSync(vmDir) ? readdirSync(vmDir) : [], [], 'partial folder removed');
    assert.ok(!existsSync(join(ws.backupDir, 'small02')), 'no new VM started after the signal');
    const log = readFileSync(ws.statusLog, 'utf8');
    assert.match(log, new RegExp(`,${kind},[^,]+,end,INTERRUPTED big01\\n`));
    assert.match(log, /,vmbackup\.py,[^,]+,end,ERROR,S:0 W:0 E:1\n$/);
    assert.match(result.stdout, /stopped cleanly, snapshots removed/);
  });
}
