// The commands a restore runs (ocaml/xapi-cli-server/cli_operations.ml): vdi-create,
// vdi-import, vbd-create, vif-create, vm-start, vm-shutdown.
import type { CliContext } from './context';
import { get, isTrue, required } from './context';
import { CliFailure, CommandFailure } from './errors';
import { requireUuid } from './list-commands';
import { selectVms, transfer } from './vm-commands';

/** Record_util.bytes_of_string: `<integer>[ ]<b|bytes|k|kb|kib|m|…|t|tb|tib>`, any case. */
export function bytesOfString(field: string, text: string): number {
  const m = /^\s*(\d+)\s*([A-Za-z]*)\s*$/.exec(text);
  const units: Record<string, number> = { '': 1, b: 1, bytes: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };
  const unit = m ? m[2].toLowerCase().replace(/^([kmgt])i?b$/, '$1') : undefined;
  if (!m || unit === undefined || !(unit in units)) {
    throw new CliFailure(
      `Failed to parse field '${field}': expecting an integer (possibly with suffix KiB, MiB, GiB, TiB), ` +
        `got '${text}'`,
    );
  }
  return Number(m[1]) * units[unit];
}

function uuidOf(c: CliContext, cls: string, ref: unknown): string {
  return String(c.state.get(cls, ref as string)?.uuid);
}

/** `<name>:<key>=<value>` parameters as a map (cli_operations.ml read_map_params). */
export function mapParams(c: CliContext, name: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of c.params)
    if (k.startsWith(`${name}:`) && k.length > name.length + 1) out[k.slice(name.length + 1)] = v;
  return out;
}

/** cli_operations.ml vdi_create: prints the new VDI's uuid. */
export async function vdiCreate(c: CliContext): Promise<number> {
  const sr = requireUuid(c, 'SR', 'sr-uuid');
  const name = required(c, 'name-label');
  const size = bytesOfString('virtual-size', required(c, 'virtual-size'));
  const tags = get(c, 'tags');
  const vdi = await c.call('VDI.create', {
    name_label: name,
    name_description: '',
    SR: sr,
    virtual_size: size,
    type: (get(c, 'type') ?? 'user').toLowerCase(),
    sharable: isTrue(c, 'sharable'),
    read_only: false,
    other_config: {},
    xenstore_data: {},
    sm_config: mapParams(c, 'sm-config'),
    tags: tags === undefined || tags === '' ? [] : tags.split(','),
  });
  c.out(`${uuidOf(c, 'VDI', vdi)}\n`);
  return 0;
}

/** cli_operations.ml vdi_import: PUT the file to /import_raw_vdi (format= passed on); prints nothing. */
export async function vdiImport(c: CliContext): Promise<number> {
  const file = required(c, 'filename');
  const vdi = requireUuid(c, 'VDI');
  const format = get(c, 'format');
  await transfer(c, 'VDI import', '', '/import_raw_vdi', { vdi, ...(format !== undefined ? { format } : {}) }, file);
  return 0;
}

function choice<T extends string>(value: string | undefined, options: Record<string, T>, fallback: T, what: string) {
  if (value === undefined) return fallback;
  const found = options[value.toLowerCase()];
  if (found === undefined) throw new CommandFailure(what);
  return found;
}

/** cli_operations.ml vbd_create: no vdi-uuid = an empty VBD (CD only); prints the new VBD's uuid. */
export async function vbdCreate(c: CliContext): Promise<number> {
  const vm = requireUuid(c, 'VM', 'vm-uuid');
  const vdiUuid = get(c, 'vdi-uuid');
  const vdi = vdiUuid === undefined ? 'OpaqueRef:NULL' : requireUuid(c, 'VDI', 'vdi-uuid');
  const rawMode = get(c, 'mode');
  const mode = choice(rawMode, { ro: 'RO', rw: 'RW' }, 'RW', `Unknown mode: ${rawMode} (should be "ro" or "rw"`);
  const rawType = get(c, 'type');
  const type = choice(
    rawType,
    { cd: 'CD', disk: 'Disk', floppy: 'Floppy' },
    'Disk',
    `"Unknown type: ${rawType} (should be "cd", "disk" or "floppy"`,
  );
  const unpluggable = get(c, 'unpluggable') === undefined ? true : isTrue(c, 'unpluggable');
  if (type === 'Disk' && vdiUuid === undefined) throw new CommandFailure('Empty VBDs can only be made for type=CD');
  const vbd = await c.call('VBD.create', {
    VM: vm,
    VDI: vdi,
    userdevice: required(c, 'device'),
    bootable: isTrue(c, 'bootable'),
    mode,
    type,
    unpluggable,
    empty: vdiUuid === undefined,
    other_config: {},
  });
  c.out(`${uuidOf(c, 'VBD', vbd)}\n`);
  return 0;
}

/** cli_operations.ml vif_create: mac= given, "" (from the VM's mac_seed) or "random"; prints the uuid. */
export async function vifCreate(c: CliContext): Promise<number> {
  const device = required(c, 'device');
  const network = requireUuid(c, 'network', 'network-uuid');
  const vm = requireUuid(c, 'VM', 'vm-uuid');
  let mac = get(c, 'mac') ?? '';
  if (mac === 'random') {
    // Record_util.random_mac_local: six random bytes, locally administered, unicast.
    const bytes = [...crypto.getRandomValues(new Uint8Array(6))];
    bytes[0] = (bytes[0] | 0x2) & ~0x1;
    mac = bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
  }
  const vif = await c.call('VIF.create', {
    device,
    network,
    VM: vm,
    MAC: mac,
    MTU: Number(c.state.get('network', network)!.MTU ?? 1500),
    other_config: {},
  });
  c.out(`${uuidOf(c, 'VIF', vif)}\n`);
  return 0;
}

/** cli_operations.ml vm_start: do_vm_op (control domains included), VM.start; prints nothing. */
export async function vmStart(c: CliContext): Promise<number> {
  for (const vm of selectVms(c, ['on', 'paused', 'progress'])) {
    await c.call('VM.start', vm, isTrue(c, 'paused'), isTrue(c, 'force'));
  }
  return 0;
}

/** cli_operations.ml vm_shutdown: force=true → VM.hard_shutdown, else VM.clean_shutdown. */
export async function vmShutdown(c: CliContext): Promise<number> {
  for (const vm of selectVms(c, ['progress'])) {
    await c.call(isTrue(c, 'force') ? 'VM.hard_shutdown' : 'VM.clean_shutdown', vm);
  }
  return 0;
}
