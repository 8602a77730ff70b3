// VDI.create, VBD.create and VIF.create with xapi's checks (ocaml/xapi/xapi_vdi.ml create,
// xapi_vbd.ml create, xapi_vif_helpers.ml create / gen_mac), shared by the XenAPI methods, the
// xe commands (vdi-create, vbd-create, vif-create) and the import handlers.
import { createHash } from 'node:crypto';
import { failure } from './errors';
import { emptyDisk } from './http/disk-write';
import { NULL_REF } from './ids';
import type { SimState, XapiRecord } from './state';

const VDI_TYPES = [
  'system',
  'user',
  'ephemeral',
  'suspend',
  'crashdump',
  'ha_statefile',
  'metadata',
  'redo_log',
  'rrd',
  'pvs_cache',
  'cbt_metadata',
];
/** xapi_vbd.ml create: the VDI types a VBD may point at. */
const ATTACHABLE_TYPES = ['system', 'user', 'ephemeral', 'suspend', 'crashdump', 'metadata', 'rrd', 'pvs_cache'];

export interface VdiSpec {
  name_label: string;
  name_description?: string;
  SR: string;
  virtual_size: number;
  type?: string;
  sharable?: boolean;
  read_only?: boolean;
  other_config?: Record<string, string>;
  sm_config?: Record<string, string>;
  tags?: string[];
}

/**
 * VDI.create: a new, all-zero VDI in the SR. cbt_metadata VDIs are refused
 * (VDI_INCOMPATIBLE_TYPE); an ISO library has no vdi_create (SR_OPERATION_NOT_SUPPORTED, from
 * the SR's allowed operations).
 */
export function createVdi(state: SimState, spec: VdiSpec, extra: XapiRecord = {}): string {
  const sr = state.require('SR', spec.SR);
  const type = spec.type ?? 'user';
  if (!VDI_TYPES.includes(type)) throw failure('INTERNAL_ERROR', `Unknown VDI type ${type}`);
  if (type === 'cbt_metadata') throw failure('VDI_INCOMPATIBLE_TYPE', '', 'cbt_metadata');
  if (sr.content_type === 'iso') throw failure('SR_OPERATION_NOT_SUPPORTED', spec.SR);
  const uuid = state.ids.uuid();
  const ref = state.create('VDI', {
    uuid,
    name_label: spec.name_label,
    name_description: spec.name_description ?? '',
    SR: spec.SR,
    virtual_size: spec.virtual_size,
    physical_utilisation: 0,
    type,
    sharable: spec.sharable ?? false,
    read_only: spec.read_only ?? false,
    other_config: spec.other_config ?? {},
    sm_config: spec.sm_config ?? {},
    tags: spec.tags ?? [],
    location: uuid,
    managed: true,
    allowed_operations: ['clone', 'snapshot', 'copy', 'destroy', 'forget', 'resize', 'update', 'generate_config'],
    ...extra,
  });
  state.disks.set(ref, emptyDisk());
  state.append('SR', spec.SR, 'VDIs', ref);
  state.update('SR', spec.SR, { virtual_allocation: Number(sr.virtual_allocation) + spec.virtual_size });
  return ref;
}

/** Xapi_vm_helpers.possible_VBD_devices_of_string: "1", "xvdb", "hdb", "sdb" name one position. */
export function vbdPosition(userdevice: string): number | undefined {
  if (/^\d+$/.test(userdevice)) return Number(userdevice);
  const m = /^(?:xvd|hd|sd)([a-z])$/.exec(userdevice);
  return m ? m[1].charCodeAt(0) - 97 : undefined;
}

export interface VbdSpec {
  VM: string;
  VDI: string;
  userdevice: string;
  bootable?: boolean;
  mode?: 'RO' | 'RW';
  type?: 'Disk' | 'CD' | 'Floppy';
  unpluggable?: boolean;
  empty?: boolean;
  other_config?: Record<string, string>;
}

/**
 * VBD.create (xapi_vbd.ml create): device "" and not attached (the given values count only for a
 * suspended VM, which the simulator's clients never pass); CD
 * VBDs must be RO, only CDs may be empty, no RW VBD on a read-only VDI, a unique device
 * position ("autodetect" takes the lowest free one), the VDI's type must be attachable.
 */
export function createVbd(state: SimState, spec: VbdSpec, extra: XapiRecord = {}): string {
  const vm = state.require('VM', spec.VM);
  const type = spec.type ?? 'Disk';
  const mode = spec.mode ?? 'RW';
  const empty = spec.empty ?? false;
  const vdi = empty ? undefined : state.require('VDI', spec.VDI);
  if (vdi && !ATTACHABLE_TYPES.includes(String(vdi.type))) {
    throw failure('VDI_INCOMPATIBLE_TYPE', spec.VDI, String(vdi.type));
  }
  if (type === 'CD' && mode !== 'RO') throw failure('VBD_CDS_MUST_BE_READONLY');
  if (type !== 'CD' && empty) throw failure('VBD_NOT_REMOVABLE_MEDIA', 'in constructor');
  if (mode === 'RW' && vdi?.read_only) throw failure('VDI_READONLY', spec.VDI);
  const used = (vm.VBDs as string[]).map((r) => vbdPosition(String(state.get('VBD', r)?.userdevice)));
  let userdevice = spec.userdevice;
  if (userdevice === 'autodetect') {
    let free = 0;
    while (used.includes(free)) free++;
    userdevice = String(free);
  }
  const position = vbdPosition(userdevice);
  if (position === undefined) throw failure('INVALID_DEVICE', spec.userdevice);
  if (used.includes(position)) throw failure('DEVICE_ALREADY_EXISTS', userdevice);
  const ref = state.create('VBD', {
    VM: spec.VM,
    VDI: empty ? NULL_REF : spec.VDI,
    userdevice,
    device: '',
    bootable: spec.bootable ?? false,
    mode,
    type,
    unpluggable: spec.unpluggable ?? true,
    empty,
    currently_attached: false,
    other_config: spec.other_config ?? {},
    allowed_operations: ['attach'],
    ...extra,
  });
  state.append('VM', spec.VM, 'VBDs', ref);
  if (!empty) state.append('VDI', spec.VDI, 'VBDs', ref);
  return ref;
}

/**
 * xapi_vif_helpers.ml gen_mac: MD5 of the VM's mac_seed chained 2×device+1 times, a further MD5
 * of that, bytes 0-3 of the first and 1-2 of the second; locally administered, unicast.
 */
export function genMac(device: number, seed: string): string {
  const md5 = (b: Buffer) => createHash('md5').update(b).digest();
  let hashed = Buffer.from(seed, 'utf8');
  for (let i = 0; i < device * 2 + 1; i++) hashed = md5(hashed);
  const second = md5(hashed);
  const bytes = [hashed[0], hashed[1], hashed[2], hashed[3], second[1], second[2]];
  bytes[0] = (bytes[0] | 0x2) & ~0x1;
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

export interface VifSpec {
  VM: string;
  network: string;
  device: string;
  MAC?: string;
  MTU?: number;
  other_config?: Record<string, string>;
}

/**
 * VIF.create (xapi_vif_helpers.ml create): the device is a number not used by another VIF of
 * the VM (INVALID_DEVICE, DEVICE_ALREADY_EXISTS); an empty MAC is generated from the VM's
 * mac_seed (MAC_autogenerated); a MAC must be six hex pairs (MAC_INVALID).
 */
export function createVif(state: SimState, spec: VifSpec, extra: XapiRecord = {}): string {
  const vm = state.require('VM', spec.VM);
  const network = state.require('network', spec.network);
  if (!/^\d+$/.test(spec.device)) throw failure('INVALID_DEVICE', spec.device);
  const devices = (vm.VIFs as string[]).map((r) => Number(state.get('VIF', r)?.device));
  if (devices.includes(Number(spec.device))) throw failure('DEVICE_ALREADY_EXISTS', spec.device);
  const seed = (vm.other_config as Record<string, string>).mac_seed;
  let mac = spec.MAC ?? '';
  const autogenerated = mac === '' && seed !== undefined;
  if (autogenerated) mac = genMac(Number(spec.device), seed);
  if (!/^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/.test(mac)) throw failure('MAC_INVALID', mac);
  const ref = state.create('VIF', {
    VM: spec.VM,
    network: spec.network,
    device: spec.device,
    MAC: mac,
    MAC_autogenerated: autogenerated,
    MTU: spec.MTU ?? Number(network.MTU ?? 1500),
    other_config: spec.other_config ?? {},
    currently_attached: false,
    allowed_operations: ['attach'],
    ...extra,
  });
  state.append('VM', spec.VM, 'VIFs', ref);
  state.append('network', spec.network, 'VIFs', ref);
  return ref;
}
