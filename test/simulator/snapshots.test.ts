// Removing snapshots the way xapi's CLI does (ocaml/xapi-cli-server/cli_operations.ml):
// vm-uninstall selects with templates excluded, snapshot-uninstall and template-uninstall
// take one uuid and check its kind. Fresh snapshots are templates (ocaml/xapi/xapi_vm_clone.ml).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulator, vmUuid, xe } from './helpers';
import type { Simulator } from '../sim/index';

const INTERNAL =
  'The server failed to handle your request, due to an internal error. The given message may give details useful ' +
  'for debugging the problem.';
const failureText = (message: string) => `${INTERNAL}\nmessage: Failure: ${message}\n`;

function vmByName(sim: Simulator, name: string): [string, Record<string, unknown>][] {
  return sim.state.entries('VM').filter(([, r]) => r.name_label === name);
}

async function snapshot(sim: Simulator, vm: string, name: string): Promise<string> {
  const r = await xe(sim, ['vm-snapshot', `vm=${vmUuid(sim, vm)}`, `new-name-label=${name}`]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

test(
  'xe vm-uninstall of a fresh (template-flagged) snapshot: No matching VMs found, exit 1 ' +
    '(cli_operations.ml vm_uninstall -> do_vm_op without include_template_vms)',
  async (t) => {
    const sim = await simulator(t);
    const snap = await snapshot(sim, 'DEV-RH7', 'RESTORE_DEV-RH7');
    assert.equal(
      sim.state.get('VM', sim.state.refByUuid('VM', snap))!.is_a_template,
      true,
      'xapi_vm_clone.ml: a snapshot is a template',
    );
    const refused = await xe(sim, ['vm-uninstall', `uuid=${snap}`, 'force=true']);
    assert.deepEqual([refused.code, refused.stdout, refused.stderr], [1, '', failureText('No matching VMs found')]);
    assert.equal(vmByName(sim, 'RESTORE_DEV-RH7').length, 1, 'nothing destroyed');
    // After template-param-set is-a-template=false (what VmBackup does before exporting) it is found.
    assert.equal((await xe(sim, ['template-param-set', 'is-a-template=false', `uuid=${snap}`])).code, 0);
    const removed = await xe(sim, ['vm-uninstall', `uuid=${snap}`, 'force=true']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.match(
      removed.stdout,
      new RegExp(
        /^The following items are about to be destroyed\nVM : [0-9a-f-]{36} \(RESTORE_DEV-RH7\)\n/.source +
          /VDI: [0-9a-f-]{36} \(DEV-RH7 0\) \nAll objects destroyed\n$/.source,
      ),
    );
    assert.equal(vmByName(sim, 'RESTORE_DEV-RH7').length, 0);
  },
);

test(
  'xe snapshot-uninstall removes a template-flagged snapshot and only it; uuid= or snapshot-uuid= ' +
    '(cli_operations.ml snapshot_uninstall, get_snapshot_uuid)',
  async (t) => {
    const sim = await simulator(t);
    const first = await snapshot(sim, 'DEV-RH7', 'first');
    const second = await snapshot(sim, 'DEV-RH7', 'second');
    const vdisBefore = sim.state.count('VDI');
    const r = await xe(sim, ['snapshot-uninstall', `uuid=${first}`, 'force=true']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(
        `^The following items are about to be destroyed\\nVM : ${first} \\(first\\)` +
          `\\nVDI: [0-9a-f-]{36} \\(DEV-RH7 0\\) \\nAll objects destroyed\\n$`,
      ),
    );
    assert.equal(vmByName(sim, 'first').length, 0);
    assert.equal(vmByName(sim, 'second').length, 1, 'the other snapshot stays');
    assert.equal(vmByName(sim, 'DEV-RH7').length, 1, 'the VM stays');
    assert.equal(sim.state.count('VDI'), vdisBefore - 1, "the snapshot's own disk went with it");
    const byName = await xe(sim, ['snapshot-uninstall', `snapshot-uuid=${second}`, 'force=true']);
    assert.equal(byName.code, 0, byName.stderr);
    assert.equal(vmByName(sim, 'second').length, 0);
  },
);

test(
  'xe snapshot-uninstall refuses a VM, and needs a uuid ' +
    '(cli_operations.ml get_snapshotVM_by_uuid, get_snapshot_uuid)',
  async (t) => {
    const sim = await simulator(t);
    const vm = vmUuid(sim, 'DEV-RH7');
    const notSnapshot = await xe(sim, ['snapshot-uninstall', `uuid=${vm}`, 'force=true']);
    assert.deepEqual(
      [notSnapshot.code, notSnapshot.stderr],
      [1, failureText(`This operation can only be performed on a VM snapshot. ${vm} is not a VM snapshot.`)],
    );
    const missing = await xe(sim, ['snapshot-uninstall', 'force=true']);
    assert.deepEqual(
      [missing.code, missing.stderr],
      [1, failureText('Required parameter not found: snapshot-uuid or uuid.')],
    );
    assert.equal(vmByName(sim, 'DEV-RH7').length, 1);
  },
);

test(
  'xe template-uninstall takes template-uuid= of a template ' +
    '(cli_operations.ml template_uninstall, get_templateVM_by_uuid)',
  async (t) => {
    const sim = await simulator(t);
    const vm = vmUuid(sim, 'DEV-RH7');
    const refused = await xe(sim, ['template-uninstall', `template-uuid=${vm}`, 'force=true']);
    assert.deepEqual(
      [refused.code, refused.stderr],
      [1, failureText(`This operation can only be performed on a VM template. ${vm} is not a VM template.`)],
    );
    const snap = await snapshot(sim, 'DEV-RH7', 'as-template');
    const removed = await xe(sim, ['template-uninstall', `template-uuid=${snap}`, 'force=true']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(vmByName(sim, 'as-template').length, 0);
  },
);

test(
  'weekend fixture: the leftover RESTORE_PROD-WinSvr is template-flagged, as a killed run leaves it ' +
    '(xapi_vm_clone.ml); only snapshot-uninstall removes it',
  async (t) => {
    const sim = await simulator(t);
    const [[ref, leftover]] = vmByName(sim, 'RESTORE_PROD-WinSvr');
    assert.equal(leftover.is_a_snapshot, true);
    assert.equal(leftover.is_a_template, true);
    assert.equal(leftover.snapshot_of, sim.state.refByUuid('VM', vmUuid(sim, 'PROD-WinSvr')));
    const refused = await xe(sim, ['vm-uninstall', `uuid=${leftover.uuid}`, 'force=true']);
    assert.equal(refused.code, 1);
    assert.equal(sim.state.has('VM', ref), true);
    const removed = await xe(sim, ['snapshot-uninstall', `uuid=${leftover.uuid}`, 'force=true']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal(sim.state.has('VM', ref), false);
  },
);

test(
  'a storage error during snapshot-uninstall: the VM record is gone, its disk stays as an unnamed orphan ' +
    '(cli_operations.ml vm_uninstall_common: VM.destroy, then each VDI.destroy)',
  async (t) => {
    const sim = await simulator(t);
    const snap = await snapshot(sim, 'DEV-RH7', 'partial');
    const ref = sim.state.refByUuid('VM', snap);
    const vbd = (sim.state.get('VM', ref)!.VBDs as string[])[0]!;
    const disk = String(sim.state.get('VBD', vbd)!.VDI);
    sim.faults.set({ vdiDestroyFailure: true });
    const r = await xe(sim, ['snapshot-uninstall', `uuid=${snap}`, 'force=true']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^Error code: VDI_IO_ERROR\nError parameters: Device I\/O errors\n$/);
    assert.equal(sim.state.has('VM', ref), false, 'the VM record went first');
    const orphan = sim.state.get('VDI', disk)!;
    assert.deepEqual(
      [orphan.is_a_snapshot, orphan.name_label, orphan.VBDs],
      [true, 'DEV-RH7 0', []],
      'unnamed, unattached: no name lookup finds it',
    );
    sim.faults.reset();
    assert.equal((await xe(sim, ['vdi-destroy', `uuid=${orphan.uuid}`])).code, 0);
  },
);
