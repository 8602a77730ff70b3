// The commands VmBackup runs that change the pool or download: vm-snapshot, vm-export,
// vm-uninstall, snapshot-uninstall, template-uninstall, vdi-snapshot, vdi-export, vdi-destroy, pool-dump-database.
import { createTask } from '../api/tasks';
import { failure, XapiFailure } from '../errors';
import type { SimState, XapiRecord } from '../state';
import { filtersOf, get, isTrue, required, type CliContext } from './context';
import { CliFailure, CommandFailure, ExitWithError } from './errors';
import { xapiDate } from '../time';
import { CLI_CLASSES } from './fields';
import { requireUuid } from './list-commands';
import { filterRecords } from './printer';

/** do_vm_op's selection: `vm=<uuid or name>` plus filters; templates and dom0 excluded. */
export function selectVms(c: CliContext, own: readonly string[]): string[] {
  let records = c.state.entries('VM').filter(([, r]) => !r.is_control_domain && !r.is_a_template);
  const vm = get(c, 'vm');
  if (vm !== undefined) records = records.filter(([, r]) => r.uuid === vm || r.name_label === vm);
  records = filterRecords(c.state, CLI_CLASSES.vm, records, filtersOf(c, ['vm', ...own]));
  if (records.length === 0) throw new CommandFailure('No matching VMs found');
  if (records.length > 1 && !isTrue(c, 'multiple'))
    throw new CommandFailure('Multiple matches VMs found. --multiple required to complete the operation');
  return records.map(([ref]) => ref);
}

function uuid(state: SimState, cls: string, ref: unknown): string {
  return String(state.get(cls, ref as string)?.uuid);
}

export async function vmSnapshot(c: CliContext): Promise<number> {
  const name = required(c, 'new-name-label');
  const own = ['new-name-label', 'new-name-description', 'ignore-vdi-uuids'];
  const ignore = (get(c, 'ignore-vdi-uuids') ?? '')
    .split(',')
    .filter((u) => u !== '')
    .map((u) => c.state.refByUuid('VDI', u));
  const uuids: string[] = [];
  for (const vm of selectVms(c, own)) {
    // Synchronous, as XAPI's CLI server calls it: the thin client waits for the answer while
    // the operation takes its time on the server (timing model).
    const snap = (await c.call('VM.snapshot', vm, name, ignore)) as string;
    const description = get(c, 'new-name-description');
    if (description !== undefined) await c.call('VM.set_name_description', snap, description);
    uuids.push(uuid(c.state, 'VM', snap));
  }
  c.out(`${uuids.join(',')}\n`);
  return 0;
}

/** The task's outcome: its result, or its failure thrown as the XenAPI error. */
function outcome(task: string, rec: XapiRecord): string {
  if (rec.status === 'failure') {
    const [code, ...params] = rec.error_info as string[];
    throw new XapiFailure(code ?? 'INTERNAL_ERROR', params);
  }
  if (rec.status === 'cancelled') throw failure('TASK_CANCELLED', task);
  return String(rec.result);
}

/**
 * Has the thin client upload through an HTTP handler and waits for the handler's task, as
 * xe's HttpPut does; returns the task's result.
 */
export async function transfer(
  c: CliContext,
  label: string,
  description: string,
  path: string,
  query: Record<string, string>,
  file: string,
): Promise<string> {
  const task = createTask(c.state, label, description);
  c.state.update('task', task, { progress: -1 });
  try {
    const q = new URLSearchParams({ session_id: c.session, task_id: task, ...query });
    c.upload({ path: `${path}?${q}`, file });
    return outcome(task, await c.waitTask(task));
  } finally {
    if (c.state.has('task', task)) c.state.destroy('task', task);
  }
}

/** How a download ended, for the caller to print (cli_operations.ml download_file). */
type ExportEnd = 'succeeded' | 'failed-unknown';

/**
 * cli_operations.ml download_file (vm-export): the client's report first; "Failed" while the
 * task's progress is still -1 means no handler took the task (e.g. a redirect to a host xe
 * could not reach): the task is marked failed with no error, and xe prints
 * "Export failed, unknown error" — and exits 0.
 */
async function downloadExport(
  c: CliContext,
  description: string,
  path: string,
  query: Record<string, string>,
  file: string,
): Promise<ExportEnd> {
  const task = createTask(c.state, 'Export of VM', description);
  c.state.update('task', task, { progress: -1 });
  try {
    const q = new URLSearchParams({ session_id: c.session, task_id: task, ...query });
    const response = await c.download({ path: `${path}?${q}`, file });
    const before = c.state.get('task', task);
    if (response === 'Failed' && before?.status === 'pending' && Number(before.progress) < 0) {
      c.state.update('task', task, { status: 'failure', finished: xapiDate() });
    }
    const rec = await c.waitTask(task);
    if (rec.status === 'success') {
      if (response === 'OK') return 'succeeded';
      c.err('Export failed, unknown error.\n');
      throw new ExitWithError(1);
    }
    if (rec.status === 'failure' && (rec.error_info as string[]).length === 0) {
      c.err('Export failed, unknown error\n');
      return 'failed-unknown';
    }
    if (rec.status === 'cancelled') {
      c.err('Export cancelled\n');
      throw new ExitWithError(1);
    }
    outcome(task, rec);
    return 'succeeded';
  } finally {
    if (c.state.has('task', task)) c.state.destroy('task', task);
  }
}

/**
 * cli_util.ml track_http_operation (vdi-export, pool-dump-database): the task's result, or its
 * error; a client-side failure with no error on the task is CLIENT_ERROR. (When no handler took
 * the task, the real CLI server would wait for it without end; the simulator answers at once.)
 */
async function downloadTracked(
  c: CliContext,
  label: string,
  path: string,
  query: Record<string, string>,
  file: string,
): Promise<string> {
  const task = createTask(c.state, label, '');
  try {
    const q = new URLSearchParams({ session_id: c.session, task_id: task, ...query });
    const sep = path.includes('?') ? '&' : '?';
    const response = await c.download({ path: `${path}${sep}${q}`, file });
    const before = c.state.get('task', task);
    const untaken = before?.status === 'pending' && Number(before.progress) <= 0 && response === 'Failed';
    const rec = untaken ? before : await c.waitTask(task);
    const errorInfo = (rec.error_info as string[]) ?? [];
    if (response === 'OK') {
      if (rec.status === 'success') return String(rec.result);
      const [code, ...params] = errorInfo;
      throw new XapiFailure(code ?? 'INTERNAL_ERROR', code ? params : []);
    }
    const [code, ...params] = errorInfo;
    throw new XapiFailure(code ?? 'CLIENT_ERROR', code ? params : []);
  } finally {
    if (c.state.has('task', task)) c.state.destroy('task', task);
  }
}

/**
 * cli_operations.ml vm_import: filename= [sr-uuid=] [preserve=true] [force=true] [metadata=true]
 * [vdi:<uuid>=<uuid>…]: PUT to /import, or /import_metadata with metadata=true, with
 * restore=, force=, dry_run= and the SR (the pool's default SR without sr-uuid=); prints the new
 * VMs' uuids. dry-run=true only with metadata=true.
 */
export async function vmImport(c: CliContext): Promise<number> {
  const srUuid = get(c, 'sr-uuid');
  let sr: string;
  if (srUuid !== undefined) sr = c.state.refByUuid('SR', srUuid);
  else {
    sr = String(c.state.entries('pool')[0]?.[1].default_SR ?? 'OpaqueRef:NULL');
    if (!c.state.has('SR', sr)) throw new CliFailure('No SR specified and Pool default SR is null');
  }
  const metadata = isTrue(c, 'metadata');
  const dryRun = isTrue(c, 'dry-run');
  const file = required(c, 'filename');
  if (!metadata && dryRun) {
    c.err('Only metadata import function support dry-run\n');
    throw new ExitWithError(1);
  }
  if (file === '') throw new CommandFailure('filename must name a file');
  const query: Record<string, string> = {
    restore: String(isTrue(c, 'preserve')),
    force: String(isTrue(c, 'force')),
    dry_run: String(dryRun),
    sr_id: sr,
  };
  for (const [k, v] of c.params) if (k.startsWith('vdi:') && k.length > 4) query[k] = v;
  const path = metadata ? '/import_metadata' : '/import';
  const result = await transfer(c, 'VM import', '', path, query, file);
  const refs = [...result.matchAll(/<value>(OpaqueRef:[^<]+)<\/value>/g)].map((m) => m[1]);
  const uuids = refs.map((r) => uuid(c.state, 'VM', r));
  c.out(`${uuids.length === 0 && dryRun ? 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx' : uuids.join(',')}\n`);
  return 0;
}

export async function vmExport(c: CliContext): Promise<number> {
  const own = [
    'filename',
    'compress',
    'metadata',
    'preserve-power-state',
    'include-snapshots',
    'excluded-device-types',
  ];
  const file = required(c, 'filename');
  const [vm] = selectVms(c, own);
  const vmUuid = uuid(c.state, 'VM', vm);
  const compress = (get(c, 'compress') ?? 'false').toLowerCase();
  // cli_operations.ml export_common: export_snapshots is sent as include-snapshots (false by default).
  const common = { ref: vm, export_snapshots: isTrue(c, 'include-snapshots') ? 'true' : 'false' };
  const excluded = get(c, 'excluded-device-types') ?? '';
  const end = isTrue(c, 'metadata')
    ? await downloadExport(c, vmUuid, '/export_metadata', { ...common, excluded_device_types: excluded }, file)
    : await downloadExport(
        c,
        vmUuid,
        '/export',
        {
          ...common,
          use_compression: compress === 'true' || compress === 'gzip' ? 'gzip' : compress === 'zstd' ? 'zstd' : 'false',
          preserve_power_state: isTrue(c, 'preserve-power-state') ? 'true' : 'false',
        },
        file,
      );
  if (end === 'succeeded' && file !== '') c.out('Export succeeded\n');
  return 0;
}

function ownedVdis(state: SimState, vms: string[]): { vdi: string; shared: boolean; vms: string[] }[] {
  const out: { vdi: string; shared: boolean; vms: string[] }[] = [];
  for (const vm of vms) {
    for (const vbdRef of state.get('VM', vm)!.VBDs as string[]) {
      const vbd = state.get('VBD', vbdRef);
      const vdi = vbd ? state.get('VDI', vbd.VDI as string) : undefined;
      if (!vbd || !vdi || !('owner' in (vbd.other_config as object))) continue;
      const seen = out.find((o) => o.vdi === vbd.VDI);
      if (seen) {
        seen.vms.push(vm);
        continue;
      }
      const users = (vdi.VBDs as string[])
        .map((r) => state.get('VBD', r)?.VM)
        .filter((v) => v && !vms.includes(v as string));
      out.push({ vdi: vbd.VDI as string, shared: users.length > 0, vms: [vm] });
    }
  }
  return out;
}

/**
 * cli_operations.ml vm_uninstall_common: lists the VMs and their owned disks, asks unless
 * force=true, then destroys each VM (hard shutdown first) and its disks.
 */
async function uninstall(c: CliContext, vms: string[]): Promise<number> {
  const vdis = ownedVdis(c.state, vms);
  const lines = ['The following items are about to be destroyed'];
  for (const v of vms) lines.push(`VM : ${uuid(c.state, 'VM', v)} (${c.state.get('VM', v)!.name_label})`);
  for (const { vdi, shared } of vdis) {
    const d = c.state.get('VDI', vdi)!;
    lines.push(`VDI: ${d.uuid} (${d.name_label}) ${shared ? ' ** WARNING: disk is shared by other VMs' : ''}`);
  }
  c.out(lines.join('\n') + '\n');
  if (!isTrue(c, 'force') && (await c.ask("Type 'yes' to continue\n")).trim() !== 'yes') return 0;
  // Each VM record first, then its disks: a failing VDI.destroy stops here and leaves the
  // disks of a destroyed VM behind (vm_uninstall_common's destroy closures, in order).
  for (const v of vms) {
    const r = c.state.get('VM', v);
    const own = vdis.filter((d) => d.vms.includes(v));
    if (r && r.power_state !== 'Halted' && r.power_state !== 'Suspended') await c.call('VM.hard_shutdown', v);
    if (c.state.has('VM', v)) await c.call('VM.destroy', v);
    for (const { vdi, shared } of own) if (!shared && c.state.has('VDI', vdi)) await c.call('VDI.destroy', vdi);
  }
  c.out('All objects destroyed\n');
  return 0;
}

/**
 * cli_operations.ml vm_uninstall: do_vm_op WITHOUT include_template_vms, so a snapshot still
 * flagged is-a-template (every fresh snapshot until template-param-set) is not found. The VM's
 * own snapshots go with it.
 */
export async function vmUninstall(c: CliContext): Promise<number> {
  const vms = selectVms(c, []);
  return uninstall(c, [...vms, ...vms.flatMap((vm) => c.state.get('VM', vm)!.snapshots as string[])]);
}

/** cli_operations.ml get_snapshot_uuid + get_snapshotVM_by_uuid: `snapshot-uuid=` or `uuid=`, a snapshot. */
export async function snapshotUninstall(c: CliContext): Promise<number> {
  const snapUuid = get(c, 'snapshot-uuid') ?? get(c, 'uuid');
  if (snapUuid === undefined) throw new CommandFailure('Required parameter not found: snapshot-uuid or uuid.');
  const snap = c.state.refByUuid('VM', snapUuid);
  if (!c.state.get('VM', snap)!.is_a_snapshot) {
    throw new CommandFailure(
      `This operation can only be performed on a VM snapshot. ${snapUuid} is not a VM snapshot.`,
    );
  }
  return uninstall(c, [snap]);
}

/** cli_operations.ml template_uninstall + get_templateVM_by_uuid: `template-uuid=`, a template. */
export async function templateUninstall(c: CliContext): Promise<number> {
  const templateUuid = required(c, 'template-uuid');
  const template = c.state.refByUuid('VM', templateUuid);
  if (!c.state.get('VM', template)!.is_a_template) {
    throw new CommandFailure(
      `This operation can only be performed on a VM template. ${templateUuid} is not a VM template.`,
    );
  }
  return uninstall(c, [template]);
}

export async function vdiSnapshot(c: CliContext): Promise<number> {
  const vdi = requireUuid(c, 'VDI');
  const driverParams = Object.fromEntries(
    c.params.filter(([k]) => k.startsWith('driver-params:')).map(([k, v]) => [k.slice('driver-params:'.length), v]),
  );
  const snap = (await c.call('VDI.snapshot', vdi, driverParams)) as string;
  c.out(`${uuid(c.state, 'VDI', snap)}\n`);
  return 0;
}

export async function vdiExport(c: CliContext): Promise<number> {
  const vdi = requireUuid(c, 'VDI');
  const file = required(c, 'filename');
  const format = get(c, 'format') ?? 'raw';
  const base = get(c, 'base');
  const query: Record<string, string> = { vdi, format };
  if (base) query.base = c.state.refByUuid('VDI', base);
  await downloadTracked(c, 'VDI export', '/export_raw_vdi', query, file);
  return 0;
}

export async function vdiDestroy(c: CliContext): Promise<number> {
  await c.call('VDI.destroy', requireUuid(c, 'VDI'));
  return 0;
}

/** cli_operations.ml pool_dump_db: from https://<the master's address>/pool/xmldbdump, whatever server xe used. */
export async function poolDumpDatabase(c: CliContext): Promise<number> {
  const file = required(c, 'file-name');
  const pool = c.state.entries('pool')[0]![1];
  const address = String(c.state.get('host', pool.master as string)?.address ?? '');
  const host = address.includes(':') ? `[${address}]` : address;
  await downloadTracked(c, 'dump database', `https://${host}/pool/xmldbdump`, {}, file);
  return 0;
}
