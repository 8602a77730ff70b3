// The xe verbs of a restore and a health check (restore/xe-steps.ts restoreArgs), served by
// XenAPI calls and HTTP uploads for the xapi transport, as xapi's CLI server serves them
// (ocaml/xapi-cli-server/cli_operations.ml): listings print what `--minimal` prints (uuids,
// comma separated), creations print the new uuid, vm-import and vdi-import PUT the local file
// to /import, /import_metadata or /import_raw_vdi under a task of ours (vm_import, vdi_import:
// task_id=, the handler adopts the task, its result names the new VMs). The file is streamed
// with back-pressure, never buffered; a redirect is followed to the host it names with the
// dispatcher's per-host certificate pin (xapi-download.ts redirectTarget); a stop signal cancels
// the task and closes the upload. Names are JSON values of XenAPI calls, never interpolated.
import { createReadStream, type ReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { request, type Dispatcher } from 'undici';
import type { PoolClient, XapiRecord } from '../pool/xapi';
import type { CommandResult, RunOptions } from './types';
import { redirectTarget } from './xapi-download';
import { settledTask } from './xapi-task';

export interface RestoreVerbContext {
  base: URL;
  dispatcher: Dispatcher;
  /** How long an upload's task may take to be marked done once the handler has answered. */
  taskWaitMs: number;
}

const NULL_REF = 'OpaqueRef:NULL';
const MAX_REDIRECTS = 3;
const ok = (stdout = ''): CommandResult => ({ exitCode: 0, stdout, stderr: '' });
const minimal = (uuids: string[]): CommandResult => ok(`${uuids.join(',')}\n`);

/** The verbs served here; `vdi-list ... --minimal` too (the record form is the backup's, in xapi-xe.ts). */
export function isRestoreVerb(args: readonly string[]): boolean {
  const verb = args[0] ?? '';
  if (verb === 'vdi-list') return args.includes('--minimal');
  return VERBS.has(verb);
}

const VERBS = new Set([
  'vm-list',
  'template-list',
  'snapshot-list',
  'sr-list',
  'pool-list',
  'vbd-list',
  'vm-import',
  'vm-param-set',
  'vm-param-get',
  'vm-start',
  'vdi-create',
  'vdi-import',
  'vbd-create',
  'vbd-param-set',
]);

/**
 * xe's size argument (record_util.ml bytes_of_string): an integer with an optional unit, b/bytes,
 * k/kb/kib, m/mb/mib, g/gb/gib, t/tb/tib (any case), each a power of 1024.
 */
export function bytesOf(field: string, text: string): number {
  const m = /^\s*\+?(\d+)\s*(bytes|b|kib|kb|k|mib|mb|m|gib|gb|g|tib|tb|t)?$/i.exec(text);
  const power = m ? ({ k: 1, m: 2, g: 3, t: 4 }[(m[2] ?? '').charAt(0).toLowerCase()] ?? 0) : 0;
  const bytes = m ? Number(m[1]) * 1024 ** power : Number.NaN;
  if (!Number.isSafeInteger(bytes)) {
    throw new Error(
      `Failed to parse field '${field}': expecting an integer (possibly with suffix KiB, MiB, GiB, TiB), got '${text}'`,
    );
  }
  return bytes;
}

async function uuidsOf(pool: PoolClient, cls: string, refs: string[]): Promise<string[]> {
  return Promise.all(refs.map((r) => pool.call<string>(`${cls}.get_uuid`, r)));
}

/** vm-list / template-list / snapshot-list, by uuid= or name-label=, as the CLI's class filters. */
async function vmListing(pool: PoolClient, verb: string, p: Map<string, string>): Promise<string[]> {
  const refs = p.has('uuid')
    ? [await pool.call<string>('VM.get_by_uuid', p.get('uuid')).catch(() => undefined)].filter(
        (r): r is string => r !== undefined,
      )
    : await pool.call<string[]>('VM.get_by_name_label', p.get('name-label') ?? '');
  const out: string[] = [];
  for (const ref of refs) {
    const r = await pool.call<XapiRecord>('VM.get_record', ref);
    if (p.has('name-label') && r.name_label !== p.get('name-label')) continue;
    const kind = r.is_a_snapshot ? 'snapshot-list' : r.is_a_template ? 'template-list' : 'vm-list';
    if (kind === verb) out.push(String(r.uuid));
  }
  return out;
}

async function srListing(pool: PoolClient, p: Map<string, string>): Promise<string[]> {
  if (p.has('uuid')) {
    const ref = await pool.call<string>('SR.get_by_uuid', p.get('uuid')).catch(() => undefined);
    return ref === undefined ? [] : [await pool.call<string>('SR.get_uuid', ref)];
  }
  return uuidsOf(pool, 'SR', await pool.call<string[]>('SR.get_by_name_label', p.get('name-label') ?? ''));
}

/** pool-list params=default-SR: the SR's uuid, or what xe prints for none. */
async function defaultSr(pool: PoolClient): Promise<string[]> {
  const [ref] = await pool.call<string[]>('pool.get_all');
  const sr = ref === undefined ? NULL_REF : await pool.call<string>('pool.get_default_SR', ref);
  return [sr === NULL_REF ? '<not in database>' : await pool.call<string>('SR.get_uuid', sr)];
}

async function vbdListing(pool: PoolClient, p: Map<string, string>): Promise<string[]> {
  const vm = await pool.call<string>('VM.get_by_uuid', p.get('vm-uuid') ?? '');
  const out: string[] = [];
  for (const vbd of await pool.call<string[]>('VM.get_VBDs', vm)) {
    const r = await pool.call<XapiRecord>('VBD.get_record', vbd);
    if (p.has('type') && r.type !== p.get('type')) continue;
    if (p.get('params') === 'vdi-uuid') {
      out.push(r.VDI === NULL_REF ? '<not in database>' : await pool.call<string>('VDI.get_uuid', r.VDI));
    } else out.push(String(r.uuid));
  }
  return out;
}

async function vdiListing(pool: PoolClient, p: Map<string, string>): Promise<string[]> {
  const ref = await pool.call<string>('VDI.get_by_uuid', p.get('uuid') ?? '').catch(() => undefined);
  return ref === undefined ? [] : [await pool.call<string>('VDI.get_uuid', ref)];
}

/** cli_operations.ml vdi_create: VDI.create with the record xe fills in. */
async function vdiCreate(pool: PoolClient, p: Map<string, string>): Promise<CommandResult> {
  const sr = await pool.call<string>('SR.get_by_uuid', p.get('sr-uuid') ?? '');
  const vdi = await pool.call<string>('VDI.create', {
    name_label: p.get('name-label') ?? '',
    name_description: '',
    SR: sr,
    virtual_size: bytesOf('virtual-size', p.get('virtual-size') ?? ''),
    type: p.get('type') ?? 'user',
    sharable: p.get('sharable') === 'true',
    read_only: false,
    other_config: {},
    xenstore_data: {},
    sm_config: {},
    tags: [],
  });
  return ok(`${await pool.call<string>('VDI.get_uuid', vdi)}\n`);
}

/** cli_operations.ml vbd_create: VBD.create as xe makes it (mode and type case-insensitive, unpluggable). */
async function vbdCreate(pool: PoolClient, p: Map<string, string>): Promise<CommandResult> {
  const vm = await pool.call<string>('VM.get_by_uuid', p.get('vm-uuid') ?? '');
  const empty = !p.has('vdi-uuid');
  const vdi = empty ? NULL_REF : await pool.call<string>('VDI.get_by_uuid', p.get('vdi-uuid'));
  const mode = (p.get('mode') ?? 'rw').toLowerCase();
  const type = (p.get('type') ?? 'disk').toLowerCase();
  const types: Record<string, string> = { cd: 'CD', disk: 'Disk', floppy: 'Floppy' };
  if (mode !== 'ro' && mode !== 'rw') return cliFailure(`Unknown mode: ${mode} (should be "ro" or "rw"`);
  if (!types[type]) return cliFailure(`Unknown type: ${type} (should be "cd", "disk" or "floppy"`);
  if (type === 'disk' && empty) return cliFailure('Empty VBDs can only be made for type=CD');
  const vbd = await pool.call<string>('VBD.create', {
    VM: vm,
    VDI: vdi,
    userdevice: p.get('device') ?? '',
    bootable: p.get('bootable') === 'true',
    mode: mode.toUpperCase(),
    type: types[type],
    unpluggable: p.get('unpluggable') !== 'false',
    empty,
    other_config: {},
    qos_algorithm_type: '',
    qos_algorithm_params: {},
    device: '',
    currently_attached: false,
  });
  return ok(`${await pool.call<string>('VBD.get_uuid', vbd)}\n`);
}

/** vbd-param-set other-config:KEY=VALUE: the key replaced (remove, then add, as xe sets a map key). */
async function vbdParamSet(pool: PoolClient, p: Map<string, string>): Promise<CommandResult> {
  const vbd = await pool.call<string>('VBD.get_by_uuid', p.get('uuid') ?? '');
  for (const [key, value] of p) {
    if (!key.startsWith('other-config:')) continue;
    const name = key.slice('other-config:'.length);
    await pool.call('VBD.remove_from_other_config', vbd, name);
    await pool.call('VBD.add_to_other_config', vbd, name, value);
  }
  return ok();
}

class RestoreVerbs {
  constructor(
    private readonly c: RestoreVerbContext,
    private readonly pool: PoolClient,
  ) {}

  async run(args: string[], p: Map<string, string>, options: RunOptions): Promise<CommandResult> {
    const pool = this.pool;
    switch (args[0]) {
      case 'vm-list':
      case 'template-list':
      case 'snapshot-list':
        return minimal(await vmListing(pool, args[0], p));
      case 'sr-list':
        return minimal(await srListing(pool, p));
      case 'pool-list':
        return minimal(await defaultSr(pool));
      case 'vbd-list':
        return minimal(await vbdListing(pool, p));
      case 'vdi-list':
        return minimal(await vdiListing(pool, p));
      case 'vm-param-set': {
        const vm = await pool.call<string>('VM.get_by_uuid', p.get('uuid') ?? '');
        if (p.has('name-label')) await pool.call('VM.set_name_label', vm, p.get('name-label'));
        return ok();
      }
      case 'vm-param-get': {
        const vm = await pool.call<string>('VM.get_by_uuid', p.get('uuid') ?? '');
        if (p.get('param-name') !== 'power-state') return unknownParam(p.get('param-name') ?? '');
        // Record_util.power_state_to_string: lower case, as xe prints it.
        return ok(`${String(await pool.call<string>('VM.get_power_state', vm)).toLowerCase()}\n`);
      }
      case 'vm-start': {
        const vm = await pool.call<string>('VM.get_by_uuid', p.get('uuid') ?? '');
        await pool.call('VM.start', vm, p.get('paused') === 'true', p.get('force') === 'true');
        return ok();
      }
      case 'vdi-create':
        return vdiCreate(pool, p);
      case 'vbd-create':
        return vbdCreate(pool, p);
      case 'vbd-param-set':
        return vbdParamSet(pool, p);
      case 'vm-import':
        return this.vmImport(p, options.signal);
      default:
        return this.vdiImport(p, options.signal);
    }
  }

  /**
   * cli_operations.ml vm_import: PUT /import (metadata=true: /import_metadata) with restore=
   * (preserve), force=, dry_run=, sr_id=; the task's result is the set of VMs it made, printed
   * as their uuids, comma separated.
   */
  private async vmImport(p: Map<string, string>, signal?: AbortSignal): Promise<CommandResult> {
    const metadata = p.get('metadata') === 'true';
    // As xe: the named SR, else the pool's default SR, passed as sr_id (also to /import_metadata).
    const sr = p.has('sr-uuid')
      ? await this.pool.call<string>('SR.get_by_uuid', p.get('sr-uuid'))
      : await this.defaultSrRef();
    if (sr === undefined) {
      return { exitCode: 1, stdout: '', stderr: 'No SR specified and Pool default SR is null\n' };
    }
    const query = {
      restore: String(p.get('preserve') === 'true'),
      force: String(p.get('force') === 'true'),
      dry_run: 'false',
      sr_id: sr,
    };
    const path = metadata ? '/import_metadata' : '/import';
    const done = await this.upload('VM import', path, query, p.get('filename') ?? '', signal);
    if ('failed' in done) return done.failed;
    const refs = done.result.match(/OpaqueRef:[^<\s]+/g) ?? [];
    return minimal(await uuidsOf(this.pool, 'VM', refs));
  }

  private async defaultSrRef(): Promise<string | undefined> {
    const [ref] = await this.pool.call<string[]>('pool.get_all');
    const sr = ref === undefined ? NULL_REF : await this.pool.call<string>('pool.get_default_SR', ref);
    return sr === NULL_REF ? undefined : sr;
  }

  /** cli_operations.ml vdi_import: PUT /import_raw_vdi?vdi=…&format=raw|vhd of the file. */
  private async vdiImport(p: Map<string, string>, signal?: AbortSignal): Promise<CommandResult> {
    const vdi = await this.pool.call<string>('VDI.get_by_uuid', p.get('uuid') ?? '');
    const format = p.get('format') === 'vhd' ? 'vhd' : 'raw';
    const done = await this.upload('VDI import', '/import_raw_vdi', { vdi, format }, p.get('filename') ?? '', signal);
    return 'failed' in done ? done.failed : ok();
  }

  /** One PUT of `file` under a task of ours; the task's result, or the failure as xe reports it. */
  private async upload(
    label: string,
    path: string,
    query: Record<string, string>,
    file: string,
    signal?: AbortSignal,
  ): Promise<{ result: string } | { failed: CommandResult }> {
    const size = (await stat(file)).size;
    const pool = this.pool;
    const task = await pool.call<string>('task.create', label, '');
    const cancel = () => void pool.call('task.cancel', task).catch(() => undefined);
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      const answer = await this.put(path, { ...query, session_id: pool.sessionId?.() ?? '', task_id: task }, file, {
        size,
        ...(signal ? { signal } : {}),
      });
      if (answer.status !== 200) {
        const record = await pool.call<XapiRecord>('task.get_record', task).catch(() => undefined);
        if (record?.status === 'failure') return { failed: taskFailure(record) };
        cancel();
        return { failed: { exitCode: 1, stdout: '', stderr: `HTTP ${answer.status}: ${strip(answer.text)}\n` } };
      }
      const record = await this.finished(task);
      if (record.status !== 'success') return { failed: taskFailure(record) };
      return { result: String(record.result ?? '') };
    } finally {
      signal?.removeEventListener('abort', cancel);
      await pool.call('task.destroy', task).catch(() => undefined);
    }
  }

  /**
   * The PUT, redirects followed (each hop a new read of the file: a redirect answers before the
   * body). Content-Length is always sent: xapi's import handlers refuse a chunked body.
   */
  private async put(
    path: string,
    query: Record<string, string>,
    file: string,
    how: { size: number; signal?: AbortSignal },
  ): Promise<{ status: number; text: string }> {
    let url = new URL(path, this.c.base);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    for (let hop = 0; ; hop++) {
      const body: ReadStream = createReadStream(file);
      const sent = new Promise<void>((resolve, reject) => {
        body.once('end', resolve);
        body.once('error', reject);
        body.once('close', resolve);
      });
      sent.catch(() => undefined);
      try {
        const response = await request(url, {
          dispatcher: this.c.dispatcher,
          method: 'PUT',
          body,
          headers: { 'content-length': String(how.size), 'content-type': 'application/octet-stream' },
          maxRedirections: 0,
          ...(how.signal ? { signal: how.signal } : {}),
        });
        const location = response.headers.location;
        if (response.statusCode >= 300 && response.statusCode < 400 && typeof location === 'string') {
          await response.body.dump();
          if (hop >= MAX_REDIRECTS) throw new Error(`too many redirects (last to ${location})`);
          url = redirectTarget(url, location);
          continue;
        }
        // The handler answers 200 first, reads the body, then ends its answer when the task is done.
        const text = (await response.body.text()).slice(0, 2000);
        if (response.statusCode === 200) await sent;
        return { status: response.statusCode, text };
      } finally {
        body.destroy();
      }
    }
  }

  /** Waits (a bounded time) until the handler has marked the task done. */
  private async finished(task: string): Promise<XapiRecord> {
    const record = await settledTask(this.pool, task, this.c.taskWaitMs);
    return (
      record ?? {
        uuid: '',
        status: 'failure',
        error_info: ['TASK_NOT_FINISHED', task, 'still pending after the upload'],
      }
    );
  }
}

const strip = (html: string) => html.replace(/<[^>]*>/g, ' ').trim();

function cliFailure(message: string): CommandResult {
  return { exitCode: 1, stdout: '', stderr: `${message}\n` };
}

function unknownParam(name: string): CommandResult {
  return { exitCode: 1, stdout: '', stderr: `Unknown field '${name}' (not served over XenAPI)\n` };
}

/** xe's report of a failed task: the error code, then its parameters. */
function taskFailure(record: XapiRecord): CommandResult {
  const info = ((record.error_info as unknown[] | undefined) ?? []).map(String);
  const code = info[0] ?? (record.status === 'cancelled' ? 'TASK_CANCELLED' : 'INTERNAL_ERROR');
  const lines = info.slice(1).map((v, i) => `param ${i + 1}: ${v}`);
  return { exitCode: 1, stdout: '', stderr: `${[code, ...lines].join('\n')}\n` };
}

/** Serves one restore verb (isRestoreVerb); XenAPI failures are thrown for the caller to report. */
export function restoreVerb(
  context: RestoreVerbContext,
  pool: PoolClient,
  args: string[],
  p: Map<string, string>,
  options: RunOptions = {},
): Promise<CommandResult> {
  return new RestoreVerbs(context, pool).run(args, p, options);
}
