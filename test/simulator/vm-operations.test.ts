// Operations in progress on a VM (VM.current_operations) and the vmBusy fault: what may overlap
// follows ocaml/xapi/xapi_vm_lifecycle.ml (is_allowed_concurrently,
// report_concurrent_operations_error); the waiting follows ocaml/xapi/xapi_vm_helpers.ml
// with_vm_operation and ocaml/xapi/export.ml lock_vm with helpers.ml's retry policies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAllowedConcurrently } from '../sim/vm-operations';
import type { Simulator } from '../sim/index';
import { connect, simulator, vmRef, vmUuid, xe } from './helpers';

const IN_PROGRESS = 'Another operation involving the object is currently in progress';

async function control(sim: Simulator, body: unknown): Promise<Response> {
  return fetch(`${sim.url}/_sim/faults`, { method: 'POST', body: JSON.stringify(body) });
}

function heldTask(sim: Simulator, vm: string): [string, Record<string, unknown>] {
  const ops = sim.state.get('VM', vm)!.current_operations as Record<string, string>;
  const [task] = Object.keys(ops);
  assert.ok(task, 'the VM has an operation in progress');
  return [task!, sim.state.get('task', task!)!];
}

/** Generation of the first change log entry matching, for ordering what happened. */
function generationOf(sim: Simulator, cls: string, ref: string, op: 'add' | 'del'): number {
  const entry = sim.state.log.find((e) => e.cls === cls && e.ref === ref && e.op === op);
  assert.ok(entry, `${cls} ${ref} ${op} logged`);
  return entry.generation;
}

test('xapi_vm_lifecycle.ml is_allowed_concurrently: which operations may overlap', () => {
  assert.equal(isAllowedConcurrently('export', ['export']), true, 'long copies together');
  assert.equal(isAllowedConcurrently('clone', ['export', 'copy']), true);
  assert.equal(isAllowedConcurrently('snapshot', ['snapshot']), true, 'two snapshots of one VM');
  assert.equal(isAllowedConcurrently('snapshot', ['export']), false);
  assert.equal(isAllowedConcurrently('destroy', ['export']), false);
  assert.equal(isAllowedConcurrently('destroy', ['snapshot']), false);
  assert.equal(isAllowedConcurrently('snapshot', ['migrate_send']), false);
  assert.equal(isAllowedConcurrently('metadata_export', ['migrate_send']), true);
  assert.equal(isAllowedConcurrently('metadata_export', ['migrate_send', 'export']), false);
  assert.equal(isAllowedConcurrently('hard_shutdown', ['export']), true);
  assert.equal(isAllowedConcurrently('hard_shutdown', ['hard_shutdown']), false);
});

test(
  'vmBusy over HTTP: OTHER_OPERATION_IN_PROGRESS once the wait is over, for xe and XenAPI ' +
    '(report_concurrent_operations_error)',
  async (t) => {
    const sim = await simulator(t, { timing: { vmOperationWaitMs: 0 } });
    const vm = vmRef(sim, 'DEV-RH7');
    assert.equal((await control(sim, { vmBusy: { vm: 'DEV-RH7' } })).status, 200);
    const [task, taskRecord] = heldTask(sim, vm);
    assert.equal(
      (sim.state.get('VM', vm)!.current_operations as Record<string, string>)[task],
      'migrate_send',
      'default operation',
    );
    assert.equal(taskRecord.status, 'pending');
    const r = await xe(sim, ['vm-snapshot', `vm=${vmUuid(sim, 'DEV-RH7')}`, 'new-name-label=RESTORE_DEV-RH7']);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `${IN_PROGRESS}\nclass: VM\nobject: ${vmUuid(sim, 'DEV-RH7')} (DEV-RH7)\noperation_type: migrate_send\n` +
        `operation_ref: ${taskRecord.uuid} (another tool: migrate_send)\n`,
    );
    const xapi = await connect(t, sim, { watchEvents: false });
    await assert.rejects(xapi.call('VM.snapshot', vm, 'x'), (e: { code: string; params: string[] }) => {
      assert.deepEqual([e.code, e.params], ['OTHER_OPERATION_IN_PROGRESS', ['VM', vm, 'migrate_send', task]]);
      return true;
    });
    assert.equal(
      sim.state.entries('VM').some(([, v]) => v.name_label === 'RESTORE_DEV-RH7' || v.name_label === 'x'),
      false,
    );
    // Cleared: the task and the operation go, the snapshot works.
    assert.equal((await control(sim, { vmBusy: null })).status, 200);
    assert.deepEqual(sim.state.get('VM', vm)!.current_operations, {});
    assert.equal(sim.state.has('task', task), false);
    assert.equal(
      (await xe(sim, ['vm-snapshot', `vm=${vmUuid(sim, 'DEV-RH7')}`, 'new-name-label=RESTORE_DEV-RH7'])).code,
      0,
    );
    assert.equal((await control(sim, { vmBusy: { vm: 'DEV-RH7', seconds: -1 } })).status, 400);
    assert.equal((await control(sim, { vmBusy: { operation: 'export' } })).status, 400);
  },
);

test(
  'with_vm_operation waits for a conflicting operation (standard policy), woken when it ends ' +
    '(xapi_vm_helpers.ml, helpers.ml retry)',
  async (t) => {
    const sim = await simulator(t);
    const vm = vmRef(sim, 'DEV-RH7');
    sim.faults.set({ vmBusy: { vm: 'DEV-RH7', seconds: null } });
    const [hold] = heldTask(sim, vm);
    const xapi = await connect(t, sim, { watchEvents: false });
    // Async: the call has reached the server (and is waiting) when the task ref comes back.
    const task = await xapi.call<string>('Async.VM.snapshot', vm, 'waited');
    assert.equal(sim.state.get('task', task)!.status, 'pending');
    sim.faults.set({ vmBusy: null });
    const snap = await new Promise<string>((resolve) => {
      const check = () => {
        const rec = sim.state.get('task', task)!;
        if (rec.status !== 'pending') return resolve(String(rec.status));
        void sim.state.waitForChange(1000).then(check);
      };
      check();
    });
    assert.equal(snap, 'success');
    const made = sim.state.entries('VM').find(([, v]) => v.name_label === 'waited')![0];
    assert.ok(
      generationOf(sim, 'task', hold, 'del') < generationOf(sim, 'VM', made, 'add'),
      'the snapshot was made after the other operation ended',
    );
  },
);

test(
  'a snapshot made under a held name is held from its creation; export overlaps export, ' +
    'destroy does not (is_allowed_concurrently long_copies)',
  async (t) => {
    const sim = await simulator(t, { timing: { vmOperationWaitMs: 0 } });
    const dir = await mkdtemp(join(tmpdir(), 'sim-busy-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    sim.faults.set({ vmBusy: { vm: 'RESTORE_DEV-RH7', operation: 'export', seconds: null } });
    const snap = (
      await xe(sim, ['vm-snapshot', `vm=${vmUuid(sim, 'DEV-RH7')}`, 'new-name-label=RESTORE_DEV-RH7'])
    ).stdout.trim();
    const ref = sim.state.refByUuid('VM', snap);
    assert.deepEqual(Object.values(sim.state.get('VM', ref)!.current_operations as object), ['export']);
    assert.equal((await xe(sim, ['template-param-set', 'is-a-template=false', `uuid=${snap}`])).code, 0);
    const exported = await xe(sim, ['vm-export', `uuid=${snap}`, `filename=${join(dir, 'a.xva')}`]);
    assert.equal(exported.code, 0, exported.stderr);
    const refused = await xe(sim, ['snapshot-uninstall', `uuid=${snap}`, 'force=true']);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      new RegExp(`^${IN_PROGRESS}\\nclass: VM\\nobject: ${snap} \\(RESTORE_DEV-RH7\\)\\noperation_type: export\\n`),
    );
    assert.equal(sim.state.has('VM', ref), true);
    sim.faults.reset();
    assert.equal((await xe(sim, ['snapshot-uninstall', `uuid=${snap}`, 'force=true'])).code, 0);
    assert.equal(sim.state.has('VM', ref), false);
  },
);

test(
  'export handler: a VM busy with a conflicting operation fails the export after the fail_quickly wait ' +
    '(export.ml lock_vm)',
  async (t) => {
    const sim = await simulator(t, { timing: { exportLockWaitMs: 0 } });
    const dir = await mkdtemp(join(tmpdir(), 'sim-busy-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    sim.faults.set({ vmBusy: { vm: 'DEV-RH6', operation: 'destroy', seconds: null } });
    const r = await xe(sim, ['vm-export', `vm=${vmUuid(sim, 'DEV-RH6')}`, `filename=${join(dir, 'b.xva')}`]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      new RegExp(
        `^${IN_PROGRESS}\\nclass: VM\\nobject: ${vmUuid(sim, 'DEV-RH6')} \\(DEV-RH6\\)\\noperation_type: destroy\\n`,
      ),
    );
    const meta = await xe(sim, [
      'vm-export',
      `vm=${vmUuid(sim, 'DEV-RH6')}`,
      `filename=${join(dir, 'c.xva')}`,
      'metadata=true',
    ]);
    assert.equal(meta.code, 1);
    assert.match(meta.stderr, /operation_type: destroy/);
  },
);

test('vmBusy with seconds: the hold ends by itself', async (t) => {
  const sim = await simulator(t);
  const vm = vmRef(sim, 'DEV-RH7');
  sim.faults.set({ vmBusy: { vm: vmUuid(sim, 'DEV-RH7'), seconds: 0.2 } });
  const [task] = heldTask(sim, vm);
  while (sim.state.has('task', task)) await sim.state.waitForChange(1000);
  assert.deepEqual(sim.state.get('VM', vm)!.current_operations, {});
});

test(
  'refusals that are final, in check_operation_error order: OPERATION_BLOCKED, ' +
    'VDI_ON_BOOT_MODE_INCOMPATIBLE_WITH_OPERATION, VM_HAS_VUSBS (xapi_vm_lifecycle.ml)',
  async (t) => {
    const sim = await simulator(t);
    const vm = vmRef(sim, 'DEV-RH7');
    const uuid = vmUuid(sim, 'DEV-RH7');
    const xapi = await connect(t, sim, { watchEvents: false });
    await xapi.call('VM.add_to_blocked_operations', vm, 'snapshot', 'no backups during the audit');
    // Not retried (helpers.ml retries only OTHER_OPERATION_IN_PROGRESS): this answers at once.
    const blocked = await xe(sim, ['vm-snapshot', `vm=${uuid}`, 'new-name-label=x']);
    assert.deepEqual(
      [blocked.code, blocked.stderr],
      [
        1,
        `You attempted an operation that was explicitly blocked ` +
          `(see the blocked_operations field of the given object).\n` +
          `ref: ${uuid} (DEV-RH7)\ncode: no backups during the audit\n`,
      ],
    );
    await xapi.call('VM.remove_from_blocked_operations', vm, 'snapshot');
    const vbd = (sim.state.get('VM', vm)!.VBDs as string[])[0]!;
    const vdi = String(sim.state.get('VBD', vbd)!.VDI);
    sim.state.update('VDI', vdi, {
      sm_config: { ...(sim.state.get('VDI', vdi)!.sm_config as object), on_boot: 'reset' },
    });
    await assert.rejects(
      xapi.call('VM.snapshot', vm, 'x'),
      (e: { code: string }) => e.code === 'VDI_ON_BOOT_MODE_INCOMPATIBLE_WITH_OPERATION',
    );
    sim.state.update('VDI', vdi, { sm_config: { vdi_type: 'vhd' } });
    sim.state.update('VM', vm, { VUSBs: ['OpaqueRef:a-usb-device'] });
    await assert.rejects(
      xapi.call('VM.snapshot', vm, 'x'),
      (e: { code: string; params: string[] }) => e.code === 'VM_HAS_VUSBS' && e.params[0] === vm,
    );
    sim.state.update('VM', vm, { VUSBs: [] });
    assert.equal((await xe(sim, ['vm-snapshot', `vm=${uuid}`, 'new-name-label=x'])).code, 0);
  },
);
