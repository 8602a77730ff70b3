// The xe verbs a backup uses (backup/xe.ts xeArgs), served by XenAPI calls and HTTP downloads
// the way xapi's CLI server serves them (cli_operations.ml): same arguments in, the same kind
// of result out (exit code, the new uuid on stdout, the record or the "destroyed" lines xe
// prints, xapi's error code and parameters on stderr). So the engine, its logs and its
// status-log records stay one for every transport; no xe program is ever run.
import type { Dispatcher } from 'undici';
import type { ArchiveSpec } from '../archive/index';
import type { PoolClient, XapiRecord } from '../pool/xapi';
import type { CommandResult, RunOptions } from './types';
import { download, type DownloadOutcome } from './xapi-download';
import { settledTask } from './xapi-task';
import { isRestoreVerb, restoreVerb } from './xapi-xe-restore';

export interface XapiXeContext {
  pool(): Promise<PoolClient>;
  base: URL;
  dispatcher: Dispatcher;
  /** How long a finished download's task may take to be marked done (the silence budget). */
  taskWaitMs: number;
  /** Records the in-flight check of a written export file (consumed by the verify step). */
  checked(file: string, outcome: Extract<DownloadOutcome, { kind: 'written' }>): void;
}

const NULL_REF = 'OpaqueRef:NULL';
const ok = (stdout = ''): CommandResult => ({ exitCode: 0, stdout, stderr: '' });

/** xe's report of a XenAPI failure: the code, then each parameter (xapi's error table names two). */
export function describeFailure(error: unknown): string {
  const e = error as { code?: unknown; params?: unknown };
  if (typeof e?.code !== 'string') return error instanceof Error ? error.message : String(error);
  const params = Array.isArray(e.params) ? e.params.map(String) : [];
  const names: Record<string, string[]> = {
    UUID_INVALID: ['type', 'uuid'],
    OTHER_OPERATION_IN_PROGRESS: ['class', 'object', 'operation_type', 'operation_ref'],
  };
  const labels = names[e.code] ?? [];
  const lines = params.map((p, i) => `${labels[i] ?? `param ${i + 1}`}: ${p}`);
  return [e.code, ...lines].join('\n');
}

const failed = (error: unknown): CommandResult => ({ exitCode: 1, stdout: '', stderr: `${describeFailure(error)}\n` });

/** `key=value` arguments as xe reads them (cli_frontend.ml: split at the first `=`). */
function params(args: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const a of args.slice(1)) {
    const eq = a.indexOf('=');
    out.set(eq < 0 ? a : a.slice(0, eq), eq < 0 ? '' : a.slice(eq + 1));
  }
  return out;
}

class XapiXe {
  constructor(private readonly c: XapiXeContext) {}

  async run(args: string[], options: RunOptions = {}): Promise<CommandResult> {
    const p = params(args);
    const pool = await this.c.pool();
    try {
      // The verbs of a restore and a health check (vm-import, vdi-import, vbd-create, ...).
      if (isRestoreVerb(args)) return await restoreVerb(this.c, pool, args, p, options);
      switch (args[0]) {
        case 'vm-snapshot':
          return await this.vmSnapshot(pool, p);
        case 'template-param-set':
          return await this.templateParamSet(pool, p);
        case 'vm-uninstall':
        case 'snapshot-uninstall':
          return await this.uninstall(pool, p.get('uuid') ?? '');
        case 'vdi-list':
          return await this.vdiList(pool, p.get('uuid') ?? '');
        case 'vdi-snapshot':
          return await this.vdiSnapshot(pool, p.get('uuid') ?? '');
        case 'vdi-param-set':
          return await this.vdiParamSet(pool, p);
        case 'vdi-destroy':
          await pool.call('VDI.destroy', await pool.call<string>('VDI.get_by_uuid', p.get('uuid') ?? ''));
          return ok();
        case 'vm-export':
          return await this.vmExport(pool, p, options.signal);
        case 'vdi-export':
          return await this.vdiExport(pool, p, options.signal);
        case 'pool-dump-database':
          return await this.transfer(pool, 'dump database', '/pool/xmldbdump', {}, p.get('file-name') ?? '', {
            signal: options.signal,
          });
        default:
          return { exitCode: 1, stdout: '', stderr: `Unknown command: ${args[0] ?? ''} (not served over XenAPI)\n` };
      }
    } catch (error) {
      if (options.signal?.aborted) throw error;
      return failed(error);
    }
  }

  private async vmSnapshot(pool: PoolClient, p: Map<string, string>): Promise<CommandResult> {
    const vm = await pool.call<string>('VM.get_by_uuid', p.get('vm') ?? '');
    const snap = await pool.call<string>('VM.snapshot', vm, p.get('new-name-label') ?? '');
    return ok(`${await pool.call<string>('VM.get_uuid', snap)}\n`);
  }

  /** template-param-set is-a-template=false ha-always-run=false: one setter per field, in order. */
  private async templateParamSet(pool: PoolClient, p: Map<string, string>): Promise<CommandResult> {
    const vm = await pool.call<string>('VM.get_by_uuid', p.get('uuid') ?? '');
    if (p.has('is-a-template')) await pool.call('VM.set_is_a_template', vm, p.get('is-a-template') === 'true');
    if (p.has('ha-always-run')) await pool.call('VM.set_ha_always_run', vm, p.get('ha-always-run') === 'true');
    return ok();
  }

  /**
   * cli_operations.ml vm_uninstall_common: the VM's disks (Disk VBDs) are listed, the VM record
   * destroyed, then each disk no other VM uses; xe prints what it destroys.
   */
  private async uninstall(pool: PoolClient, uuid: string): Promise<CommandResult> {
    const vm = await pool.call<string>('VM.get_by_uuid', uuid);
    const record = await pool.call<XapiRecord>('VM.get_record', vm);
    const disks: { ref: string; record: XapiRecord; shared: boolean }[] = [];
    for (const vbd of (record.VBDs as string[] | undefined) ?? []) {
      const v = await pool.call<XapiRecord>('VBD.get_record', vbd);
      if (v.type !== 'Disk' || v.VDI === NULL_REF) continue;
      const vdi = await pool.call<XapiRecord>('VDI.get_record', v.VDI);
      const users = await Promise.all(
        ((vdi.VBDs as string[] | undefined) ?? []).map((b) => pool.call<string>('VBD.get_VM', b)),
      );
      disks.push({ ref: String(v.VDI), record: vdi, shared: users.some((u) => u !== vm) });
    }
    const lines = ['The following items are about to be destroyed', `VM : ${uuid} (${String(record.name_label)})`];
    for (const d of disks) {
      const warning = d.shared ? ' ** WARNING: disk is shared by other VMs' : '';
      lines.push(`VDI: ${d.record.uuid} (${String(d.record.name_label)}) ${warning}`);
    }
    const power = String(record.power_state);
    if (power !== 'Halted' && power !== 'Suspended') await pool.call('VM.hard_shutdown', vm);
    await pool.call('VM.destroy', vm);
    for (const d of disks) if (!d.shared) await pool.call('VDI.destroy', d.ref);
    return ok(`${lines.join('\n')}\nAll objects destroyed\n`);
  }

  /** xe vdi-list uuid=...: the record printer's default fields. */
  private async vdiList(pool: PoolClient, uuid: string): Promise<CommandResult> {
    const vdi = await pool.call<string>('VDI.get_by_uuid', uuid).catch(() => undefined);
    if (vdi === undefined) return ok();
    const r = await pool.call<XapiRecord>('VDI.get_record', vdi);
    const sr = r.SR === NULL_REF ? '<not in database>' : await pool.call<string>('SR.get_uuid', r.SR);
    const field = (name: string, access: string, value: unknown) =>
      `${`${name} ( ${access})`.padStart(26)}: ${String(value)}`;
    const lines = [
      `uuid ( RO)                : ${r.uuid}`,
      field('name-label', 'RW', r.name_label),
      field('name-description', 'RW', r.name_description),
      field('sr-uuid', 'RO', sr),
      field('virtual-size', 'RO', r.virtual_size),
      field('sharable', 'RO', r.sharable),
      field('read-only', 'RO', r.read_only),
    ];
    return ok(`${lines.join('\n')}\n\n\n`);
  }

  private async vdiSnapshot(pool: PoolClient, uuid: string): Promise<CommandResult> {
    const vdi = await pool.call<string>('VDI.get_by_uuid', uuid);
    const snap = await pool.call<string>('VDI.snapshot', vdi, {});
    return ok(`${await pool.call<string>('VDI.get_uuid', snap)}\n`);
  }

  private async vdiParamSet(pool: PoolClient, p: Map<string, string>): Promise<CommandResult> {
    const vdi = await pool.call<string>('VDI.get_by_uuid', p.get('uuid') ?? '');
    if (p.has('name-label')) await pool.call('VDI.set_name_label', vdi, p.get('name-label'));
    return ok();
  }

  /** xe vm-export: /export (or /export_metadata with metadata=true) by ref, compression as asked. */
  private async vmExport(pool: PoolClient, p: Map<string, string>, signal?: AbortSignal): Promise<CommandResult> {
    const vm = await pool.call<string>('VM.get_by_uuid', p.get('uuid') ?? '');
    const file = p.get('filename') ?? '';
    if (p.get('metadata') === 'true') {
      const check: ArchiveSpec = { kind: 'xva', compression: 'none', metadataOnly: true };
      const how = { signal, check };
      return this.transfer(pool, 'Export of VM', '/export_metadata', { ref: vm }, file, how, 'Export succeeded\n');
    }
    const compress = p.get('compress');
    const compression = compress === 'true' || compress === 'gzip' ? 'gzip' : compress === 'zstd' ? 'zstd' : 'none';
    const query = {
      ref: vm,
      ...(compression === 'none' ? {} : { use_compression: compress === 'zstd' ? 'zstd' : 'true' }),
    };
    const check: ArchiveSpec = { kind: 'xva', compression };
    return this.transfer(pool, 'Export of VM', '/export', query, file, { signal, check }, 'Export succeeded\n');
  }

  private async vdiExport(pool: PoolClient, p: Map<string, string>, signal?: AbortSignal): Promise<CommandResult> {
    const vdi = await pool.call<string>('VDI.get_by_uuid', p.get('uuid') ?? '');
    const format = p.get('format') === 'vhd' ? 'vhd' : 'raw';
    const virtualSize = Number(await pool.call<string | number>('VDI.get_virtual_size', vdi));
    const check: ArchiveSpec = { kind: format, virtualSize };
    return this.transfer(pool, 'VDI export', '/export_raw_vdi', { vdi, format }, p.get('filename') ?? '', {
      signal,
      check,
    });
  }

  /**
   * A download under a task of ours (task.create, task_id=): its outcome is the task's. On a stop
   * signal the task is cancelled and the stream closed; a damaged stream cancels the task too.
   */
  private async transfer(
    pool: PoolClient,
    label: string,
    path: string,
    query: Record<string, string>,
    file: string,
    how: { signal?: AbortSignal | undefined; check?: ArchiveSpec },
    success = '',
  ): Promise<CommandResult> {
    const task = await pool.call<string>('task.create', label, '');
    const cancel = () => void pool.call('task.cancel', task).catch(() => undefined);
    how.signal?.addEventListener('abort', cancel, { once: true });
    try {
      const outcome = await download({
        base: this.c.base,
        path,
        query: { ...query, session_id: pool.sessionId?.() ?? '', task_id: task },
        dispatcher: this.c.dispatcher,
        file,
        ...(how.check ? { check: how.check } : {}),
        ...(how.signal ? { signal: how.signal } : {}),
      });
      if (outcome.kind === 'unreachable') {
        // As xe: the redirect target could not be reached, no file was made (redirect.ts names the host).
        cancel();
        return {
          exitCode: 0,
          stdout: '',
          stderr: `Export failed: ${outcome.url} could not be reached (${outcome.reason})\n`,
        };
      }
      if (outcome.kind === 'written' && outcome.damage) {
        // Damage seen mid-stream is ours to report: we closed the stream, so the handler's task
        // fails *because of us* (EPIPE) and must not stand for the cause. A stream that ended
        // by itself short or damaged is the handler's doing: its task's failure, if any, is the cause.
        if (!outcome.brokeOff) {
          const status = await this.taskOutcome(pool, task);
          if (status.error !== undefined) return failed(status.error);
        }
        cancel();
        this.c.checked(file, outcome);
        return ok(success);
      }
      const status = await this.taskOutcome(pool, task);
      if (status.error !== undefined) return failed(status.error);
      if (outcome.kind === 'refused') {
        return {
          exitCode: 1,
          stdout: '',
          stderr: `HTTP ${outcome.status}: ${outcome.text.replace(/<[^>]*>/g, ' ')}\n`,
        };
      }
      this.c.checked(file, outcome);
      return ok(success);
    } finally {
      how.signal?.removeEventListener('abort', cancel);
      await pool.call('task.destroy', task).catch(() => undefined);
    }
  }

  /** Waits (a bounded time) until the handler has marked the task done; its error, if any. */
  private async taskOutcome(pool: PoolClient, task: string): Promise<{ error?: { code: string; params: string[] } }> {
    const record = await settledTask(pool, task, this.c.taskWaitMs);
    if (!record)
      return { error: { code: 'TASK_NOT_FINISHED', params: [task, 'still pending after the download ended'] } };
    return record.status === 'success' ? {} : { error: taskError(record) };
  }
}

function taskError(record: XapiRecord): { code: string; params: string[] } {
  const info = ((record.error_info as unknown[] | undefined) ?? []).map(String);
  const fallback = record.status === 'cancelled' ? 'TASK_CANCELLED' : 'INTERNAL_ERROR';
  return { code: info[0] ?? fallback, params: info.slice(1) };
}

export function xapiXe(context: XapiXeContext): (args: string[], options?: RunOptions) => Promise<CommandResult> {
  const served = new XapiXe(context);
  return (args, options) => served.run(args, options);
}
