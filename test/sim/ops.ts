// Pool operations with XAPI's state transitions (ocaml/xapi/xapi_vm_clone.ml, xapi_vdi.ml),
// shared by the XenAPI methods, the xe command and the fixture loader.
import { failure } from './errors';
import { NULL_REF } from './ids';
import type { SimState, XapiRecord } from './state';
import { xapiDate } from './time';

const str = (v: unknown) => v as string;
const refs = (v: unknown) => v as string[];

/** XAPI's allowed_operations for a VM in a power state (what XO and the CLI display). */
export function vmAllowedOperations(powerState: string, isSnapshotOrTemplate: boolean): string[] {
  if (isSnapshotOrTemplate)
    return ['changing_NVRAM', 'export', 'clone', 'copy', 'destroy', 'provision', 'metadata_export'];
  switch (powerState) {
    case 'Running':
      return [
        'snapshot',
        'clean_shutdown',
        'hard_shutdown',
        'clean_reboot',
        'hard_reboot',
        'suspend',
        'pause',
        'checkpoint',
        'pool_migrate',
        'metadata_export',
      ];
    case 'Suspended':
      return ['snapshot', 'resume', 'hard_shutdown', 'export', 'copy', 'clone', 'destroy', 'metadata_export'];
    case 'Paused':
      return ['snapshot', 'unpause', 'hard_shutdown', 'metadata_export'];
    default:
      return [
        'snapshot',
        'start',
        'start_on',
        'export',
        'copy',
        'clone',
        'destroy',
        'make_into_template',
        'metadata_export',
      ];
  }
}

export function snapshotVdi(state: SimState, vdiRef: string, time = xapiDate()): string {
  const vdi = state.require('VDI', vdiRef);
  const uuid = state.ids.uuid();
  const snap = state.create('VDI', {
    ...structuredClone(vdi),
    uuid,
    VBDs: [],
    crash_dumps: [],
    current_operations: {},
    is_a_snapshot: true,
    snapshot_of: vdiRef,
    snapshots: [],
    snapshot_time: time,
    location: uuid,
    other_config: {},
  });
  const content = state.disks.get(vdiRef);
  if (content) state.disks.set(snap, { ...content });
  state.update('VDI', vdiRef, { snapshots: [...refs(vdi.snapshots), snap] });
  const sr = state.get('SR', str(vdi.SR));
  if (sr) state.update('SR', str(vdi.SR), { VDIs: [...refs(sr.VDIs), snap] });
  return snap;
}

/** VM.snapshot: a halted template-and-snapshot copy with snapshotted disks and copied VIFs. */
export function snapshotVm(
  state: SimState,
  vmRef: string,
  newName: string,
  ignoreVdis: readonly string[] = [],
): string {
  const vm = state.require('VM', vmRef);
  if (vm.is_a_snapshot) throw failure('VM_IS_SNAPSHOT', vmRef, 'snapshot');
  if (vm.is_a_template) throw failure('VM_IS_TEMPLATE', vmRef, 'snapshot');
  if (vm.is_control_domain) throw failure('OPERATION_NOT_ALLOWED', 'Snapshot of the control domain is not allowed');
  const time = xapiDate();
  const metricsSource = state.get('VM_metrics', str(vm.metrics));
  const metrics = state.create('VM_metrics', {
    ...(metricsSource ? structuredClone(metricsSource) : {}),
    uuid: state.ids.uuid(),
    VCPUs_CPU: {},
    VCPUs_flags: {},
    state: [],
  });
  const snap = state.create('VM', {
    ...structuredClone(vm),
    uuid: state.ids.uuid(),
    name_label: newName,
    power_state: 'Halted',
    is_a_snapshot: true,
    is_a_template: true,
    snapshot_of: vmRef,
    snapshots: [],
    snapshot_time: time,
    snapshot_info: { 'disk-snapshot-type': 'crash_consistent', 'power-state-at-snapshot': str(vm.power_state) },
    ha_always_run: false,
    resident_on: NULL_REF,
    scheduled_to_be_resident_on: NULL_REF,
    domid: -1,
    VBDs: [],
    VIFs: [],
    consoles: [],
    current_operations: {},
    allowed_operations: vmAllowedOperations('Halted', true),
    metrics,
    guest_metrics: NULL_REF,
    children: [vmRef],
    parent: vm.parent,
  });
  const vbds: string[] = [];
  for (const vbdRef of refs(vm.VBDs)) {
    const vbd = state.require('VBD', vbdRef);
    let vdiRef = str(vbd.VDI);
    const isDisk = vbd.type === 'Disk' && vdiRef !== NULL_REF;
    if (isDisk && ignoreVdis.includes(vdiRef)) continue;
    if (isDisk) vdiRef = snapshotVdi(state, vdiRef, time);
    const copy = state.create('VBD', {
      ...structuredClone(vbd),
      uuid: state.ids.uuid(),
      VM: snap,
      VDI: vdiRef,
      currently_attached: false,
      current_operations: {},
      other_config: isDisk ? { ...(vbd.other_config as object), owner: '' } : structuredClone(vbd.other_config),
    });
    vbds.push(copy);
    if (vdiRef !== NULL_REF) {
      const vdi = state.require('VDI', vdiRef);
      state.update('VDI', vdiRef, { VBDs: [...refs(vdi.VBDs), copy] });
    }
  }
  const vifs: string[] = [];
  for (const vifRef of refs(vm.VIFs)) {
    const vif = state.require('VIF', vifRef);
    const copy = state.create('VIF', {
      ...structuredClone(vif),
      uuid: state.ids.uuid(),
      VM: snap,
      currently_attached: false,
      current_operations: {},
    });
    vifs.push(copy);
    const net = state.get('network', str(vif.network));
    if (net) state.update('network', str(vif.network), { VIFs: [...refs(net.VIFs), copy] });
  }
  state.update('VM', snap, { VBDs: vbds, VIFs: vifs });
  state.update('VM', vmRef, { snapshots: [...refs(vm.snapshots), snap], parent: snap });
  return snap;
}

export function destroyVdi(state: SimState, vdiRef: string): void {
  const vdi = state.require('VDI', vdiRef);
  for (const vbdRef of refs(vdi.VBDs)) {
    const vbd = state.get('VBD', vbdRef);
    if (vbd?.currently_attached) throw failure('VDI_IN_USE', vdiRef, 'destroy');
  }
  for (const vbdRef of refs(vdi.VBDs)) destroyVbd(state, vbdRef);
  const sr = state.get('SR', str(vdi.SR));
  if (sr) state.update('SR', str(vdi.SR), { VDIs: refs(sr.VDIs).filter((r) => r !== vdiRef) });
  const origin = state.get('VDI', str(vdi.snapshot_of));
  if (origin)
    state.update('VDI', str(vdi.snapshot_of), { snapshots: refs(origin.snapshots).filter((r) => r !== vdiRef) });
  for (const s of refs(vdi.snapshots)) if (state.has('VDI', s)) state.update('VDI', s, { snapshot_of: NULL_REF });
  state.destroy('VDI', vdiRef);
}

function destroyVbd(state: SimState, vbdRef: string): void {
  const vbd = state.get('VBD', vbdRef);
  if (!vbd) return;
  const vm = state.get('VM', str(vbd.VM));
  if (vm) state.update('VM', str(vbd.VM), { VBDs: refs(vm.VBDs).filter((r) => r !== vbdRef) });
  const vdi = state.get('VDI', str(vbd.VDI));
  if (vdi) state.update('VDI', str(vbd.VDI), { VBDs: refs(vdi.VBDs).filter((r) => r !== vbdRef) });
  state.destroy('VBD', vbdRef);
}

/** VM.destroy: the VM, its VBDs, VIFs and metrics; its disks (VDIs) stay. */
export function destroyVm(state: SimState, vmRef: string): void {
  const vm = state.require('VM', vmRef);
  if (vm.is_control_domain)
    throw failure('OPERATION_NOT_ALLOWED', 'This operation is not allowed on the control domain');
  if (vm.is_default_template) throw failure('VM_CANNOT_DELETE_DEFAULT_TEMPLATE', vmRef);
  if (vm.power_state !== 'Halted' && vm.power_state !== 'Suspended') {
    throw failure('VM_BAD_POWER_STATE', vmRef, 'halted', String(vm.power_state).toLowerCase());
  }
  for (const vbdRef of [...refs(vm.VBDs)]) destroyVbd(state, vbdRef);
  for (const vifRef of refs(vm.VIFs)) {
    const vif = state.get('VIF', vifRef);
    if (!vif) continue;
    const net = state.get('network', str(vif.network));
    if (net) state.update('network', str(vif.network), { VIFs: refs(net.VIFs).filter((r) => r !== vifRef) });
    state.destroy('VIF', vifRef);
  }
  if (state.has('VM_metrics', str(vm.metrics))) state.destroy('VM_metrics', str(vm.metrics));
  const origin = state.get('VM', str(vm.snapshot_of));
  if (origin) {
    const patch: XapiRecord = { snapshots: refs(origin.snapshots).filter((r) => r !== vmRef) };
    if (origin.parent === vmRef) patch.parent = vm.parent;
    state.update('VM', str(vm.snapshot_of), patch);
  }
  for (const [ref, other] of state.entries('VM')) {
    if (ref !== vmRef && other.parent === vmRef) state.update('VM', ref, { parent: NULL_REF });
  }
  state.destroy('VM', vmRef);
}

/** The device name an attached VBD gets for its userdevice position: 0 → xvda, 3 → xvdd. */
export function deviceOf(userdevice: string): string {
  const n = Number(userdevice);
  return Number.isInteger(n) && n >= 0 && n < 26 ? `xvd${String.fromCharCode(97 + n)}` : '';
}

/** Power transitions used by tests and VM.start/VM.clean_shutdown/VM.hard_shutdown. */
export function setPowerState(
  state: SimState,
  vmRef: string,
  power: 'Running' | 'Paused' | 'Halted',
  host: string,
): void {
  const vm = state.require('VM', vmRef);
  const running = power !== 'Halted';
  state.update('VM', vmRef, {
    power_state: power,
    resident_on: running ? host : NULL_REF,
    domid: running ? 1 + state.count('VM') : -1,
    allowed_operations: vmAllowedOperations(power, false),
  });
  for (const vbdRef of refs(vm.VBDs)) {
    // xapi_xenops.ml: attaching names the device (xvdX from userdevice); it stays set after.
    const vbd = state.require('VBD', vbdRef);
    const device = vbd.device === '' && running ? deviceOf(str(vbd.userdevice)) : vbd.device;
    state.update('VBD', vbdRef, { currently_attached: running, device });
  }
  for (const vifRef of refs(vm.VIFs)) state.update('VIF', vifRef, { currently_attached: running });
  const hostRec = state.get('host', host);
  if (hostRec) {
    const resident = refs(hostRec.resident_VMs).filter((r) => r !== vmRef);
    state.update('host', host, { resident_VMs: running ? [...resident, vmRef] : resident });
  }
}
