// The snapshot lifecycle against real-xapi semantics (simulator): template-flagged leftovers,
// other tools' and other runs' snapshots, a VM held busy by another tool (local and ssh).
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Simulator } from '../sim/index';
import {
  ensureBundle,
  localTransport,
  runCli,
  snapshotUuids,
  sshTransport,
  startCli,
  startPool,
  workspace,
  type Transport,
} from './helpers';

let weekend: Simulator;
let sim: Simulator;
let ssh: Transport;
before(async () => {
  ensureBundle();
  weekend = await startPool('weekend');
  sim = await startPool({
    name: 'snapshots',
    vms: [
      { name: 'web01', disks: [{ size: '3MiB', used: 1 }] },
      { name: 'db01', disks: [{ size: '2MiB', used: 1 }] },
    ],
  });
  ssh = await sshTransport(sim);
});
after(async () => {
  await ssh.stop();
  await Promise.all([weekend.close(), sim.close()]);
});
afterEach(() => {
  sim.faults.reset();
  sim.timing.set('instant');
});

/** Snapshots (VM and VDI) whose name starts with RESTORE_ or SNAP_. */
function ourNamed(s: Simulator): string[] {
  return ['VM', 'VDI'].flatMap((cls) =>
    s.state
      .entries(cls)
      .filter(([, r]) => r.is_a_snapshot === true && /^(RESTORE|SNAP)_/.test(String(r.name_label)))
      .map(([, r]) => String(r.name_label)),
  );
}

function successfulBackups(dir: string, vm: string): number {
  const vmDir = join(dir, vm);
  return existsSync(vmDir) ? readdirSync(vmDir).filter((f) => existsSync(join(vmDir, f, 'success'))).length : 0;
}

test(
  'weekend: a backup of PROD-WinSvr removes the template-flagged leftover RESTORE_PROD-WinSvr; ' +
    '0 RESTORE_/SNAP_ snapshots after',
  async () => {
    const [[, leftover]] = weekend.state.entries('VM').filter(([, r]) => r.name_label === 'RESTORE_PROD-WinSvr');
    assert.equal(leftover!.is_a_template, true, 'as a killed run leaves it');
    const ws = workspace();
    const cfg = ws.writeConfig(['vdi_export_format=vhd', 'vm-export=PROD-WinSvr', 'vdi-export=DEV-RH7']);
    const result = await runCli(weekend, [cfg]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, new RegExp(`cleanup old-snap-vm-uuid: ${leftover!.uuid}`));
    assert.deepEqual(ourNamed(weekend), []);
    assert.equal(
      weekend.state.entries('VM').some(([, r]) => r.name_label === 'PROD-ubuntu14 before upgrade'),
      true,
      "another tool's snapshot stays",
    );
    assert.equal(successfulBackups(ws.backupDir, 'PROD-WinSvr'), 1);
    assert.equal(successfulBackups(ws.backupDir, 'DEV-RH7'), 1);
  },
);

test('a RESTORE_<vm> that is a snapshot of another VM is never destroyed (snapshot_of checked)', async () => {
  const ws = workspace();
  const foreign = await runXe(sim, ['vm-snapshot', `vm=${uuidOf(sim, 'db01')}`, 'new-name-label=RESTORE_web01']);
  const result = await runCli(sim, [ws.writeConfig(['vm-export=web01'])]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(
    result.stdout,
    new RegExp(`snapshot ${foreign} \\(RESTORE_web01\\) left alone: it is not a snapshot of this VM`),
  );
  assert.equal(sim.state.findByUuid('VM', foreign) !== undefined, true, 'still there');
  assert.deepEqual(ourNamed(sim), ['RESTORE_web01']);
  await runXe(sim, ['snapshot-uninstall', `uuid=${foreign}`, 'force=true']);
});

test("two configs backing up one VM from different backup_dirs: neither destroys the other's snapshot", async () => {
  const a = workspace();
  const b = workspace();
  // Another tool's `destroy` on every RESTORE_web01 keeps each run's export waiting (export.ml
  // lock_vm) until released: run A's snapshot is certainly in progress while B looks for leftovers.
  sim.faults.set({ vmBusy: { vm: 'RESTORE_web01', operation: 'destroy' } });
  const first = startCli(sim, [a.writeConfig(['vm-export=web01'])]);
  await first.waitFor(/cmd: \S*xe vm-export /);
  const second = startCli(sim, [b.writeConfig(['vm-export=web01'])]);
  await second.waitFor(/\(RESTORE_web01\) left alone: /);
  await second.waitFor(/cmd: \S*xe vm-export /);
  sim.faults.set({ vmBusy: null });
  const [firstResult, secondResult] = await Promise.all([first.done, second.done]);
  assert.equal(firstResult.code, 0, firstResult.stdout + firstResult.stderr);
  assert.equal(secondResult.code, 0, secondResult.stdout + secondResult.stderr);
  assert.equal(successfulBackups(a.backupDir, 'web01'), 1);
  assert.equal(successfulBackups(b.backupDir, 'web01'), 1);
  assert.deepEqual(ourNamed(sim), []);
});

test('a RESTORE_ tagged by a live vmbackup run on this machine is left alone; by a dead one, a leftover', async () => {
  const ws = workspace();
  const snap = await runXe(sim, ['vm-snapshot', `vm=${uuidOf(sim, 'db01')}`, 'new-name-label=RESTORE_db01']);
  const ref = sim.state.refByUuid('VM', snap);
  // Another run's snapshot between its vm-snapshot and its export: tagged, nothing in progress on it.
  sim.state.update('VM', ref, { other_config: { 'vmbackup-owner': `${hostname()} ${process.pid} run-live` } });
  const kept = await runCli(sim, [ws.writeConfig(['vm-export=db01'])]);
  assert.equal(kept.code, 0, kept.stdout + kept.stderr);
  assert.match(
    kept.stdout,
    new RegExp(
      `snapshot ${snap} \\(RESTORE_db01\\) left alone: ` +
        `it belongs to vmbackup run ${process.pid} on this machine, still running`,
    ),
  );
  assert.equal(sim.state.has('VM', ref), true);
  const deadPid = spawnSync('true').pid!;
  sim.state.update('VM', ref, { other_config: { 'vmbackup-owner': `${hostname()} ${deadPid} run-dead` } });
  const removed = await runCli(sim, [ws.writeConfig(['vm-export=db01'])]);
  assert.equal(removed.code, 0, removed.stdout + removed.stderr);
  assert.match(removed.stdout, new RegExp(`cleanup old-snap-vm-uuid: ${snap}`));
  assert.equal(sim.state.has('VM', ref), false);
  assert.deepEqual(ourNamed(sim), []);
});

for (const name of ['local', 'ssh'] as const) {
  const transport = (): Transport => (name === 'local' ? localTransport : ssh);

  test(`${name}: snapshot of a VM another tool holds busy is retried, then succeeds once it is free`, async () => {
    const ws = workspace();
    sim.timing.set({ vmOperationWaitMs: 0 });
    sim.faults.set({ vmBusy: { vm: 'web01' } });
    const run = startCli(sim, [...transport().args, ws.writeConfig(['vm-export=web01'])]);
    await run.waitFor(
      /snapshot of web01: busy, another operation \(migrate_send\) is in progress on it; retrying in 1 s/,
    );
    sim.faults.set({ vmBusy: null });
    const result = await run.done;
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(successfulBackups(ws.backupDir, 'web01'), 1);
    assert.deepEqual(ourNamed(sim), []);
  });

  test(`${name}: a VM still busy after --busy-wait: SNAPSHOT-FAIL naming the other operation`, async () => {
    const ws = workspace();
    sim.timing.set({ vmOperationWaitMs: 0 });
    // migrate_send: the metadata export may overlap it (xapi_vm_lifecycle.ml), the snapshot may not.
    sim.faults.set({ vmBusy: { vm: 'web01', operation: 'migrate_send' } });
    const result = await runCli(sim, [...transport().args, ws.writeConfig(['vm-export=web01']), '--busy-wait', '0']);
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.match(
      result.stdout,
      new RegExp(
        /snapshot of web01: busy, another operation \(migrate_send\) is in progress on it; /.source +
          /gave up after \d+ s of retries \(--busy-wait 0 s\)/.source,
      ),
    );
    assert.match(readFileSync(ws.statusLog, 'utf8'), /,vm-export,[^,]+,end,SNAPSHOT-FAIL web01\n/);
    assert.deepEqual(ourNamed(sim), []);
  });

  test(`${name}: export and removal of the snapshot while another tool holds it are retried`, async () => {
    const ws = workspace();
    sim.timing.set({ vmOperationWaitMs: 0, exportLockWaitMs: 0 });
    // destroy in progress: the export must wait (export.ml lock_vm); it is released on the retry notice.
    sim.faults.set({ vmBusy: { vm: 'RESTORE_web01', operation: 'destroy' } });
    const run = startCli(sim, [...transport().args, ws.writeConfig(['vm-export=web01'])]);
    await run.waitFor(/export of web01: busy, another operation \(destroy\) is in progress on it; retrying in 1 s/);
    // export in progress: our export may overlap it, our removal may not.
    sim.faults.set({ vmBusy: { vm: 'RESTORE_web01', operation: 'export' } });
    await run.waitFor(
      /removing snapshot [0-9a-f-]{36}: busy, another operation \(export\) is in progress on it; retrying in 1 s/,
    );
    sim.faults.set({ vmBusy: null });
    const result = await run.done;
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(successfulBackups(ws.backupDir, 'web01'), 1);
    assert.deepEqual(ourNamed(sim), []);
  });
}

test("a snapshot refused for good (OPERATION_BLOCKED) is SNAPSHOT-FAIL with xapi's reason, not retried", async () => {
  const ws = workspace();
  const vm = sim.state.refByUuid('VM', uuidOf(sim, 'web01'));
  sim.state.update('VM', vm, { blocked_operations: { snapshot: 'frozen for the audit' } });
  try {
    const result = await runCli(sim, [ws.writeConfig(['vm-export=web01'])]);
    assert.equal(result.code, 2, result.stdout);
    assert.match(
      result.stdout,
      // xe's own words are echoed, then the original's `ERROR <cmd>` line names the command.
      new RegExp(
        /You attempted an operation that was explicitly blocked .*\n(?:.*\n)?/.source +
          /.* - code: frozen for the audit\n.* - ERROR \S*xe vm-snapshot /.source,
      ),
    );
    assert.doesNotMatch(result.stdout, /retrying in/);
    assert.match(readFileSync(ws.statusLog, 'utf8'), /,vm-export,[^,]+,end,SNAPSHOT-FAIL web01\n/);
  } finally {
    sim.state.update('VM', vm, { blocked_operations: {} });
  }
});

test('a failed removal after a failed export is reported, and the run does not claim it removed', async () => {
  const ws = workspace();
  sim.timing.set({ vmOperationWaitMs: 0 });
  sim.faults.set({ exportFailAfterBytes: 100_000, vmBusy: { vm: 'RESTORE_web01', operation: 'export' } });
  const result = await runCli(sim, [ws.writeConfig(['vm-export=web01']), '--busy-wait', '0']);
  assert.equal(result.code, 2, result.stdout);
  const leaked = sim.state.entries('VM').find(([, r]) => r.name_label === 'RESTORE_web01')![1];
  assert.match(
    result.stdout,
    new RegExp(
      `ERROR snapshot RESTORE_web01 \\(${leaked.uuid}\\) was NOT removed: removing snapshot ${leaked.uuid}: busy`,
    ),
  );
  assert.match(
    result.stdout,
    new RegExp(`ERROR 1 snapshot\\(s\\) made by this run could not be removed: snapshot RESTORE_web01 ${leaked.uuid}`),
  );
  assert.match(readFileSync(ws.statusLog, 'utf8'), /end,VM-EXPORT-FAIL web01\n/);
  sim.faults.reset();
  await runXe(sim, ['snapshot-uninstall', `uuid=${leaked.uuid}`, 'force=true']);
  assert.deepEqual(snapshotUuids(sim), []);
});

test(
  'a partial uninstall (the VM record gone, a disk refused by storage) leaves no orphan disk: ' +
    'it is removed by uuid',
  async () => {
    const ws = workspace();
    const before = snapshotUuids(sim);
    sim.faults.set({ vdiDestroyFailure: true });
    const run = startCli(sim, [ws.writeConfig(['vm-export=web01'])]);
    await run.waitFor(/removing disk [0-9a-f-]{36} of snapshot RESTORE_web01, left by a partial uninstall/);
    sim.faults.set({ vdiDestroyFailure: null });
    const result = await run.done;
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.deepEqual(snapshotUuids(sim), before, 'no snapshot VDI left, named or not');
  },
);

test('a partial uninstall whose disk cannot be removed is reported with the disk uuid', async () => {
  const ws = workspace();
  const before = snapshotUuids(sim);
  sim.faults.set({ vdiDestroyFailure: true });
  const result = await runCli(sim, [ws.writeConfig(['vm-export=web01'])]);
  sim.faults.reset();
  const orphans = snapshotUuids(sim).filter((u) => !before.includes(u));
  assert.equal(orphans.length, 1, 'the disk xapi left');
  assert.equal(result.code, 1, result.stdout + result.stderr);
  assert.match(result.stdout, new RegExp(`ERROR disk of snapshot RESTORE_web01 \\(${orphans[0]}\\) was NOT removed: `));
  assert.match(result.stdout, new RegExp(`remove it with xe vdi-destroy uuid=${orphans[0]}`));
  await runXe(sim, ['vdi-destroy', `uuid=${orphans[0]}`]);
});

function uuidOf(s: Simulator, name: string): string {
  return String(s.state.entries('VM').find(([, r]) => r.name_label === name && !r.is_a_snapshot)![1].uuid);
}

async function runXe(s: Simulator, args: string[]): Promise<string> {
  const { execFile } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    execFile(
      s.xePath,
      args,
      { env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', ...s.xeEnv() } },
      (error, stdout, stderr) => (error ? reject(new Error(`${args[0]}: ${stderr}`)) : resolve(stdout.trim())),
    );
  });
}
