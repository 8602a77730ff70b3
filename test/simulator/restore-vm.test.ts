// What a restore needs of the simulator's VMs: metadata-only import (import.ml
// metadata_handler), preserve=true, VBDs and VIFs made by hand, start and shutdown, uninstall.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, eventually, FIXTURES, simulator, vmRef, vmUuid, xe } from './helpers';
import type { Simulator } from '../sim/index';

const DEMO = join(FIXTURES, 'demo.json');
const XXX = 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx';

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sim-restore-vm-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** xapi_vif_helpers.ml gen_mac, written out independently of the simulator's code. */
function expectedMac(device: number, seed: string): string {
  let h = Buffer.from(seed);
  for (let i = 0; i <= device * 2; i++) h = createHash('md5').update(h).digest();
  const d2 = createHash('md5').update(h).digest();
  const b = [(h[0] | 2) & 0xfe, h[1], h[2], h[3], d2[1], d2[2]];
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
}

function vbdsOf(sim: Simulator, vm: string) {
  return (sim.state.get('VM', vm)!.VBDs as string[]).map((r) => sim.state.get('VBD', r)!);
}

function vifsOf(sim: Simulator, vm: string) {
  return (sim.state.get('VM', vm)!.VIFs as string[]).map((r) => sim.state.get('VIF', r)!);
}

// import.ml metadata_handler, VDI/VM/VIF handlers, assert_can_restore_backup; cli_operations.ml vm_import
test('xe vm-import metadata=true: the VM record on existing disks; preserve, vdi: map, missing disks', async (t) => {
  const sim = await simulator(t, { fixture: DEMO });
  const xapi = await connect(t, sim);
  const dir = await tempDir(t);
  const original = vmRef(sim, 'DEV-test01');
  const originalUuid = vmUuid(sim, 'DEV-test01');
  const [disk] = vbdsOf(sim, original).filter((v) => v.type === 'Disk');
  const diskVdi = String(disk.VDI);
  const diskRec = sim.state.get('VDI', diskVdi)!;
  const originalMac = vifsOf(sim, original)[0].MAC;
  const meta = join(dir, 'vm-metadata.xva');
  assert.equal((await xe(sim, ['vm-export', `uuid=${originalUuid}`, `filename=${meta}`, 'metadata=true'])).code, 0);
  const importMeta = (...extra: string[]) => xe(sim, ['vm-import', `filename=${meta}`, 'metadata=true', ...extra]);

  // A new VM (new uuid, new mac_seed, MACs made from it) on the very same disk.
  const copy = await importMeta();
  assert.equal(copy.code, 0, copy.stderr);
  const copyRef = sim.state.refByUuid('VM', copy.stdout.trim());
  const copyRec = sim.state.get('VM', copyRef)!;
  assert.notEqual(copyRec.uuid, originalUuid);
  assert.deepEqual([copyRec.name_label, copyRec.power_state, copyRec.current_operations], ['DEV-test01', 'Halted', {}]);
  assert.deepEqual(
    vbdsOf(sim, copyRef).map((v) => [v.VDI, v.device]),
    [[diskVdi, '']],
  );
  const seed = (copyRec.other_config as Record<string, string>).mac_seed;
  assert.notEqual(seed, (sim.state.get('VM', original)!.other_config as Record<string, string>).mac_seed);
  assert.equal(vifsOf(sim, copyRef)[0].MAC, expectedMac(0, seed));
  assert.notEqual(vifsOf(sim, copyRef)[0].MAC, originalMac);

  // preserve=true while the VM itself still exists: not a newer version.
  const count = sim.state.count('VM');
  const same = await importMeta('preserve=true');
  assert.equal(same.code, 1);
  assert.match(same.stderr, /^The VM cannot be imported unforced because it is either the same version/);
  assert.match(same.stderr, /existing_version: 0\nversion_to_import: 0\n$/);
  assert.equal(sim.state.count('VM'), count);

  // Once the VM is gone (its disks stay), preserve=true brings back its uuid and MAC.
  await xapi.call('VM.destroy', copyRef);
  await xapi.call('VM.destroy', original);
  const preserved = await importMeta('preserve=true');
  assert.deepEqual([preserved.code, preserved.stdout], [0, `${originalUuid}\n`], preserved.stderr);
  const preservedRef = sim.state.refByUuid('VM', originalUuid);
  assert.equal(vifsOf(sim, preservedRef)[0].MAC, originalMac);
  assert.equal(sim.state.get('VM', preservedRef)!.version, 1, 'version + 1 on a restore');
  await xapi.call('VM.destroy', preservedRef);

  // vdi:<exported uuid>=<uuid> puts another disk in its place.
  const other = await xe(sim, [
    'vdi-create',
    `sr-uuid=${sim.state.get('SR', String(diskRec.SR))!.uuid}`,
    'name-label=x',
    'virtual-size=4MiB',
  ]);
  const mapped = await importMeta(`vdi:${diskRec.uuid}=${other.stdout.trim()}`);
  assert.equal(mapped.code, 0, mapped.stderr);
  assert.deepEqual(
    vbdsOf(sim, sim.state.refByUuid('VM', mapped.stdout.trim())).map((v) => sim.state.get('VDI', String(v.VDI))!.uuid),
    [other.stdout.trim()],
  );

  // The disk gone: VDI_LOCATION_MISSING [sr, location], nothing created; force=true leaves the disk out.
  await xapi.call('VDI.destroy', diskVdi);
  const before = sim.state.count('VM');
  const lost = await importMeta();
  assert.equal(lost.code, 1);
  const srRec = sim.state.get('SR', String(diskRec.SR))!;
  assert.equal(
    lost.stderr,
    'This operation cannot be performed because the specified VDI could not be found in the specified SR\n' +
      `sr: ${srRec.uuid} (${srRec.name_label})\nlocation: ${diskRec.location}\n`,
  );
  assert.equal(sim.state.count('VM'), before);
  const forced = await importMeta('force=true');
  assert.equal(forced.code, 0, forced.stderr);
  assert.deepEqual(vbdsOf(sim, sim.state.refByUuid('VM', forced.stdout.trim())), []);

  // dry-run: only with metadata=true; checks, creates nothing, prints a placeholder uuid.
  const vms = sim.state.count('VM');
  assert.deepEqual((await importMeta('force=true', 'dry-run=true')).stdout, `${XXX}\n`);
  assert.equal(sim.state.count('VM'), vms);
  const noMeta = await xe(sim, ['vm-import', `filename=${meta}`, 'dry-run=true']);
  assert.deepEqual([noMeta.code, noMeta.stderr], [1, 'Only metadata import function support dry-run\n']);
});

// cli_operations.ml vbd_create / vif_create, xapi_vbd.ml create, xapi_vif_helpers.ml create + gen_mac
test('xe vbd-create and vif-create attach a disk and a network to a VM, with xapi checks', async (t) => {
  const sim = await simulator(t, { fixture: DEMO });
  const vm = vmRef(sim, 'DEV-test01');
  const vmU = vmUuid(sim, 'DEV-test01');
  const [srRef, sr] = sim.state.entries('SR')[0];
  const vdi = (
    await xe(sim, ['vdi-create', `sr-uuid=${sr.uuid}`, 'name-label=data', 'virtual-size=4MiB'])
  ).stdout.trim();
  const r = await xe(sim, [
    'vbd-create',
    `vm-uuid=${vmU}`,
    `vdi-uuid=${vdi}`,
    'device=1',
    'bootable=false',
    'mode=RW',
    'type=Disk',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const vbd = sim.state.get('VBD', sim.state.refByUuid('VBD', r.stdout.trim()))!;
  assert.deepEqual(
    [vbd.VM, vbd.VDI, vbd.userdevice, vbd.device, vbd.bootable, vbd.mode, vbd.type, vbd.currently_attached, vbd.empty],
    [vm, sim.state.refByUuid('VDI', vdi), '1', '', false, 'RW', 'Disk', false, false],
  );
  assert.deepEqual(vbd.other_config, {}, 'no owner key: vm-uninstall leaves such a disk alone');
  assert.ok(
    (sim.state.get('VDI', String(vbd.VDI))!.VBDs as string[]).includes(sim.state.refByUuid('VBD', r.stdout.trim())),
  );
  const clash = await xe(sim, ['vbd-create', `vm-uuid=${vmU}`, `vdi-uuid=${vdi}`, 'device=0']);
  assert.deepEqual(
    [clash.code, clash.stderr],
    [1, 'A device with the name given already exists on the selected VM\ndevice: 0\n'],
  );
  const emptyDisk = await xe(sim, ['vbd-create', `vm-uuid=${vmU}`, 'device=2']);
  assert.match(emptyDisk.stderr, /message: Failure: Empty VBDs can only be made for type=CD\n$/);
  const rwCd = await xe(sim, ['vbd-create', `vm-uuid=${vmU}`, 'device=3', 'type=cd']);
  assert.deepEqual([rwCd.code, rwCd.stderr], [1, 'Read/write CDs are not supported\n']);
  assert.equal((await xe(sim, ['vbd-create', `vm-uuid=${vmU}`, 'device=3', 'type=cd', 'mode=ro'])).code, 0);

  const network = sim.state.entries('network')[0][1];
  const v = await xe(sim, ['vif-create', `vm-uuid=${vmU}`, `network-uuid=${network.uuid}`, 'device=1']);
  assert.equal(v.code, 0, v.stderr);
  const vif = sim.state.get('VIF', sim.state.refByUuid('VIF', v.stdout.trim()))!;
  const seed = (sim.state.get('VM', vm)!.other_config as Record<string, string>).mac_seed;
  assert.deepEqual([vif.MAC, vif.MAC_autogenerated, vif.device], [expectedMac(1, seed), true, '1']);
  const given = await xe(sim, [
    'vif-create',
    `vm-uuid=${vmU}`,
    `network-uuid=${network.uuid}`,
    'device=2',
    'mac=02:11:22:33:44:55',
  ]);
  assert.equal(sim.state.get('VIF', sim.state.refByUuid('VIF', given.stdout.trim()))!.MAC, '02:11:22:33:44:55');
  const dup = await xe(sim, ['vif-create', `vm-uuid=${vmU}`, `network-uuid=${network.uuid}`, 'device=1']);
  assert.deepEqual(
    [dup.code, dup.stderr],
    [1, 'A device with the name given already exists on the selected VM\ndevice: 1\n'],
  );
  assert.ok((sim.state.get('SR', srRef)!.VDIs as string[]).includes(sim.state.refByUuid('VDI', vdi)));
  // cli_operations.ml vm_uninstall destroys the disks whose VBD has other-config:owner.
  assert.equal((await xe(sim, ['vbd-param-set', `uuid=${r.stdout.trim()}`, 'other-config:owner=true'])).code, 0);
  assert.equal((await xe(sim, ['vm-uninstall', `uuid=${vmU}`, 'force=true'])).code, 0);
  assert.equal(sim.state.findByUuid('VDI', vdi), undefined, 'the owned disk went with the VM');
});

// xapi_vm.ml start / xapi_vm_lifecycle.ml; cli_operations.ml vm_start, vm_shutdown, vm_uninstall
test('a restored VM starts (Running, resident, devices, events), shuts down, uninstalls with its disks', async (t) => {
  const sim = await simulator(t, { fixture: DEMO });
  const xapi = await connect(t, sim);
  const dir = await tempDir(t);
  const file = join(dir, 'vm.xva');
  assert.equal((await xe(sim, ['vm-export', `uuid=${vmUuid(sim, 'DEV-test01')}`, `filename=${file}`])).code, 0);
  const imported = await xe(sim, ['vm-import', `filename=${file}`]);
  const uuid = imported.stdout.trim();
  const vm = sim.state.refByUuid('VM', uuid);
  assert.equal((await xe(sim, ['vm-param-set', `uuid=${uuid}`, 'name-label=RESTORED DEV-test01'])).code, 0);

  const started = await xe(sim, ['vm-start', `uuid=${uuid}`]);
  assert.deepEqual([started.code, started.stdout, started.stderr], [0, '', '']);
  const rec = sim.state.get('VM', vm)!;
  const master = String(sim.state.entries('pool')[0][1].master);
  assert.deepEqual([rec.power_state, rec.resident_on], ['Running', master]);
  assert.ok((rec.allowed_operations as string[]).includes('clean_shutdown'));
  assert.ok(!(rec.allowed_operations as string[]).includes('start'));
  assert.deepEqual(
    vbdsOf(sim, vm).map((v) => [v.device, v.currently_attached]),
    [['xvda', true]],
  );
  assert.ok((sim.state.get('host', master)!.resident_VMs as string[]).includes(vm));
  await eventually(() => xapi.getObjectByRef(vm, null)?.power_state === 'Running', 'the Running event');
  const again = await xe(sim, ['vm-start', `uuid=${uuid}`]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /^You attempted an operation on a VM that was not in an appropriate power state/);
  assert.match(again.stderr, /expected: halted\nactual: running\n$/);

  assert.equal((await xe(sim, ['vm-shutdown', `uuid=${uuid}`])).code, 0);
  assert.deepEqual(
    [sim.state.get('VM', vm)!.power_state, sim.state.get('VM', vm)!.resident_on],
    ['Halted', 'OpaqueRef:NULL'],
  );
  assert.equal((await xe(sim, ['vm-start', `uuid=${uuid}`])).code, 0);
  assert.equal((await xe(sim, ['vm-shutdown', `uuid=${uuid}`, 'force=true'])).code, 0);
  assert.equal(sim.state.get('VM', vm)!.power_state, 'Halted');
  const metrics = () => sim.state.get('VM_metrics', String(sim.state.get('VM', vm)!.metrics))!;
  metrics().start_time = '19700101T00:00:00Z';
  await xapi.call('VM.start', vm, true, false); // start_paused
  assert.equal(sim.state.get('VM', vm)!.power_state, 'Paused');
  assert.notEqual(metrics().start_time, '19700101T00:00:00Z', 'VM_metrics.start_time is set');
  await xapi.call('VM.hard_shutdown', vm);

  const vdis = vbdsOf(sim, vm).map((v) => String(v.VDI));
  const gone = await xe(sim, ['vm-uninstall', `uuid=${uuid}`, 'force=true']);
  assert.equal(gone.code, 0, gone.stderr);
  assert.ok(!sim.state.has('VM', vm));
  assert.deepEqual(
    vdis.filter((v) => sim.state.has('VDI', v)),
    [],
    'the imported disks are destroyed with it',
  );
});

// import.ml VBD precheck: with force=true a missing disk is skipped, but a VBD attached at export time
// whose disk is missing fails the import (IMPORT_ERROR_ATTACHED_DISKS_NOT_FOUND); a found one keeps
// currently_attached.
test('xe vm-import metadata=true of a running VM: attached disks must be found, even with force=true', async (t) => {
  const sim = await simulator(t, { fixture: DEMO });
  const xapi = await connect(t, sim);
  const dir = await tempDir(t);
  const vm = vmRef(sim, 'PROD-web01');
  const meta = join(dir, 'web01.xva');
  assert.equal(
    (await xe(sim, ['vm-export', `uuid=${vmUuid(sim, 'PROD-web01')}`, `filename=${meta}`, 'metadata=true'])).code,
    0,
  );
  const [disk] = vbdsOf(sim, vm).filter((v) => v.type === 'Disk');
  const diskUuid = String(sim.state.get('VDI', String(disk.VDI))!.uuid);
  const sr = sim.state.get('SR', String(sim.state.get('VDI', String(disk.VDI))!.SR))!;
  const restored = (
    await xe(sim, ['vdi-create', `sr-uuid=${sr.uuid}`, 'name-label=r', 'virtual-size=8MiB'])
  ).stdout.trim();
  const r = await xe(sim, ['vm-import', `filename=${meta}`, 'metadata=true', `vdi:${diskUuid}=${restored}`]);
  assert.equal(r.code, 0, r.stderr);
  const copy = sim.state.refByUuid('VM', r.stdout.trim());
  assert.equal(sim.state.get('VM', copy)!.power_state, 'Halted');
  const [vbd] = vbdsOf(sim, copy).filter((v) => v.type === 'Disk');
  assert.deepEqual([sim.state.get('VDI', String(vbd.VDI))!.uuid, vbd.currently_attached], [restored, true]);
  assert.deepEqual(
    vifsOf(sim, copy).map((v) => v.currently_attached),
    [false],
    'VIFs of a halted VM: not attached',
  );

  await xapi.call('VM.hard_shutdown', vm);
  await xapi.call('VM.destroy', vm);
  await xapi.call('VDI.destroy', String(disk.VDI));
  const lost = await xe(sim, ['vm-import', `filename=${meta}`, 'metadata=true']);
  assert.match(lost.stderr, /^This operation cannot be performed because the specified VDI could not be found/);
  const forced = await xe(sim, ['vm-import', `filename=${meta}`, 'metadata=true', 'force=true']);
  assert.deepEqual(
    [forced.code, forced.stderr],
    [1, 'The VM could not be imported because attached disks could not be found.\n'],
  );
});

// import.ml assert_can_restore_backup and VM precheck (full_restore with an existing uuid)
test('preserve=true refuses a running VM of that uuid and a mac_seed used by another VM', async (t) => {
  const sim = await simulator(t, { fixture: DEMO });
  const dir = await tempDir(t);
  const meta = join(dir, 'web01.xva');
  const web01 = vmUuid(sim, 'PROD-web01');
  assert.equal((await xe(sim, ['vm-export', `uuid=${web01}`, `filename=${meta}`, 'metadata=true'])).code, 0);
  const running = await xe(sim, ['vm-import', `filename=${meta}`, 'metadata=true', 'preserve=true']);
  assert.equal(running.code, 1);
  assert.match(running.stderr, new RegExp(`vm: ${web01} \\(PROD-web01\\)\nexpected: halted\nactual: running\n$`));

  const seed = (sim.state.get('VM', vmRef(sim, 'PROD-web01'))!.other_config as Record<string, string>).mac_seed;
  const other = vmUuid(sim, 'DEV-test01');
  assert.equal((await xe(sim, ['vm-param-set', `uuid=${other}`, `other-config:mac_seed=${seed}`])).code, 0);
  const clash = await xe(sim, ['vm-import', `filename=${meta}`, 'metadata=true', 'preserve=true']);
  assert.deepEqual(
    [clash.code, clash.stderr],
    [1, `This MAC seed is already in use by a VM in the pool\nseed: ${seed}\n`],
  );
});

// stream_vdi.ml recv_all_vdi + import.ml with_error_handling (End_of_file): a metadata export
// imported as a full XVA has no disk data; nothing is left behind.
test('xe vm-import of a metadata-only file without metadata=true ends prematurely and creates nothing', async (t) => {
  const sim = await simulator(t, { fixture: DEMO });
  const dir = await tempDir(t);
  const meta = join(dir, 'meta.xva');
  assert.equal(
    (await xe(sim, ['vm-export', `uuid=${vmUuid(sim, 'DEV-test01')}`, `filename=${meta}`, 'metadata=true'])).code,
    0,
  );
  const [vms, vdis] = [sim.state.count('VM'), sim.state.count('VDI')];
  const r = await xe(sim, ['vm-import', `filename=${meta}`]);
  assert.deepEqual(
    [r.code, r.stderr],
    [1, 'The VM could not be imported; the end of the file was reached prematurely.\n'],
  );
  assert.deepEqual([sim.state.count('VM'), sim.state.count('VDI')], [vms, vdis]);
});
