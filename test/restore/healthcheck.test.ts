// `vmbackup healthcheck`: the backup restored under HEALTHCHECK_<vm>_<time>, started, seen
// Running, then removed with its disks — always: after success, after a boot that never reaches
// Running (bounded wait), and when SIGTERM stops the command. Nothing is left in the pool.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Simulator } from '../sim/index';
import { ensureBundle, runCli, startCli, startPool, workspace, type Workspace } from '../runner/helpers';
import { backUp, restoreReport } from './helpers';

let sim: Simulator;
let ws: Workspace;
let vmFolder: string;
let vdiFolder: string;
before(async () => {
  ensureBundle();
  sim = await startPool({
    name: 'healthcheck',
    vms: [{ name: 'app01', power: 'Halted', disks: [{ size: '2MiB', used: 1 }] }],
  });
  ws = workspace();
  vmFolder = await backUp(sim, ws, ['vm-export=app01'], 'app01');
  vdiFolder = await backUp(sim, ws, ['vdi-export=app01'], 'app01');
});
after(async () => sim.close());

/** Everything a health check could leave behind: its VMs, and the count of VDIs and VBDs. */
function poolShape(): { healthcheckVms: string[]; vdis: number; vbds: number } {
  return {
    healthcheckVms: sim.state
      .entries('VM')
      .filter(([, r]) => String(r.name_label).startsWith('HEALTHCHECK_'))
      .map(([ref]) => ref),
    vdis: sim.state.entries('VDI').length,
    vbds: sim.state.entries('VBD').length,
  };
}

/** A boot that never completes: VM.start returns, the VM stays Halted (a test fault on the real simulator). */
function bootsNever(): () => void {
  const update = sim.state.update.bind(sim.state);
  sim.state.update = (cls, ref, patch) => {
    const name = String(sim.state.get(cls, ref)?.name_label ?? '');
    if (cls === 'VM' && name.startsWith('HEALTHCHECK_') && patch.power_state === 'Running') return;
    update(cls, ref, patch);
  };
  return () => {
    sim.state.update = update;
  };
}

for (const kind of ['vm-export', 'vdi-export'] as const) {
  test(`healthcheck of a ${kind} backup: restored, Running, removed; reported`, async () => {
    const shape = poolShape();
    const result = await runCli(sim, ['healthcheck', kind === 'vm-export' ? vmFolder : vdiFolder, '--json']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const report = restoreReport(result.stdout);
    assert.equal(report.command, 'healthcheck');
    assert.equal(report.kind, kind);
    assert.match(String(report.newName), /^HEALTHCHECK_app01_\d{8}T\d{6}Z$/);
    assert.equal(report.running, true);
    assert.equal(report.removed, true);
    assert.equal(report.outcome, 'success');
    assert.match(result.stdout, /"step":"start"/);
    assert.deepEqual(poolShape(), shape, 'nothing left in the pool');
  });
}

test('healthcheck: a VM that never reaches Running fails after --boot-timeout and is removed', async () => {
  const shape = poolShape();
  const restore = bootsNever();
  try {
    const result = await runCli(sim, ['healthcheck', vmFolder, '--boot-timeout', '1', '--json'], {
      VMBACKUP_HEALTHCHECK_POLL_MS: '50',
    });
    assert.equal(result.code, 2, result.stdout);
    assert.match(result.stdout, /did not reach Running within 1 s \(power state halted\)/);
    const report = restoreReport(result.stdout);
    assert.deepEqual([report.running, report.removed, report.outcome], [false, true, 'error']);
  } finally {
    restore();
  }
  assert.deepEqual(poolShape(), shape, 'nothing left in the pool');
});

test('healthcheck: SIGTERM while it waits for Running still removes the VM and its disks', async () => {
  const shape = poolShape();
  const restore = bootsNever();
  try {
    const run = startCli(sim, ['healthcheck', vdiFolder, '--json'], { VMBACKUP_HEALTHCHECK_POLL_MS: '50' });
    await run.waitFor(/"step":"start"/, 60_000);
    run.child.kill('SIGTERM');
    const result = await run.done;
    assert.equal(result.code, 2, result.stdout + result.stderr);
    const report = restoreReport(result.stdout);
    assert.deepEqual([report.running, report.removed], [false, true]);
    assert.match(result.stdout, /stopped: SIGTERM received/);
  } finally {
    restore();
  }
  assert.deepEqual(poolShape(), shape, 'nothing left in the pool');
});

test('healthcheck refuses a metadata-export backup; --dry-run changes nothing', async () => {
  const folder = await backUp(sim, ws, ['metadata-export=app01'], 'app01');
  const shape = poolShape();
  const meta = await runCli(sim, ['healthcheck', folder]);
  assert.equal(meta.code, 2);
  assert.match(meta.stdout, /holds no disks: there is nothing to boot/);
  const dry = await runCli(sim, ['healthcheck', vmFolder, '--dry-run']);
  assert.equal(dry.code, 0, dry.stdout);
  assert.match(dry.stdout, /would run: xe vm-param-set uuid=<new-vm-uuid> name-label=HEALTHCHECK_app01_\d{8}T\d{6}Z/);
  assert.deepEqual(poolShape(), shape);
});
