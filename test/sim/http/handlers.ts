// XAPI's HTTP handlers: GET /export (XVA), /export_metadata, /export_raw_vdi (raw or VHD) and
// /pool/xmldbdump. Common behaviour (ocaml/xapi/xapi_http.ml): session from cookie or query (or
// Basic auth), 401 otherwise; the client's task_id is adopted and completed, or a task is made;
// errors before the headers are an HTTP 500 page, errors after them an HTTP 500 text written into
// the body plus a failed task.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiContext } from '../api/context';
import { completeTask, createTask, setProgress } from '../api/tasks';
import { asFailure, failure, type XapiFailure } from '../errors';
import type { SimState } from '../state';
import { streamBody, compressionOf } from './body';
import { chunkCount, DEFAULT_CONTENT, diskChunk } from './disk';
import { buildOva } from './ova';
import { TAR_END, tarHeader, tarOf, tarPadding } from './tar';
import { VHD_MAX_SIZE, vhdStream } from './vhd';
import { xmlDbDump } from './dbdump';
import { damageVhd, damageXva } from './damage';
import { exportRate, holdFor } from '../timing';
import { acquireVmOperation, removeOperation } from '../vm-operations';

export interface HttpCall {
  ctx: ApiContext;
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

function param(call: HttpCall, name: string): string | null {
  return cookie(call.req, name) ?? call.query.get(name);
}

function sendError(
  res: ServerResponse,
  status: number,
  reason: string,
  html: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const body = `<html><body><h1>HTTP ${status} ${reason}</h1>${html}</body></html>`;
  res.writeHead(status, reason, {
    ...headers,
    'content-type': 'text/html',
    'content-length': Buffer.byteLength(body),
    connection: 'close',
  });
  res.end(body);
}

/** Authenticated session and adopted (or new) task; undefined when a response was already sent. */
export function begin(call: HttpCall, label: string): { task: string; ownTask: boolean } | undefined {
  const { state } = call.ctx;
  const taskId = param(call, 'task_id') ?? undefined;
  const adoptable = taskId !== undefined && state.has('task', taskId);
  let session = param(call, 'session_id');
  const basic = /^Basic (.+)$/.exec(call.req.headers.authorization ?? '');
  if (basic && !session) {
    const [user, ...pw] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
    if (user === 'root' && pw.join(':') === call.ctx.password) session = 'basic';
  }
  if (session !== 'basic' && (!session || !state.has('session', session))) {
    if (adoptable)
      completeTask(state, taskId, {
        error: failure('SESSION_AUTHENTICATION_FAILED', 'root', 'Authentication failure'),
      });
    sendError(call.res, 401, 'Unauthorised', 'Authentication failed.', { 'www-authenticate': 'Basic realm="xapi"' });
    return undefined;
  }
  if (adoptable) {
    setProgress(state, taskId, 0);
    return { task: taskId!, ownTask: false };
  }
  return { task: createTask(state, label, ''), ownTask: true };
}

/** Timing model: the handler's task stays pending this long before the first byte (taskMs). */
function settle(call: HttpCall): Promise<void> {
  return holdFor(call.ctx.timing, 'taskMs', call.ctx.signal);
}

export function finish(state: SimState, t: { task: string; ownTask: boolean }, error?: XapiFailure, result = ''): void {
  completeTask(state, t.task, error ? { error } : { result });
  if (t.ownTask && state.has('task', t.task)) state.destroy('task', t.task);
}

/** Error before the response headers: HTTP 500 page and a failed task. */
export function failEarly(call: HttpCall, t: { task: string; ownTask: boolean }, error: unknown): void {
  const f = asFailure(error);
  finish(call.ctx.state, t, f);
  sendError(
    call.res,
    500,
    'Internal Error',
    `An unexpected error occurred; please wait a while and try again. ` +
      `If the problem persists, please contact your support representative.` +
      `<h1> Additional information </h1>${f.code}: [ ${f.params.join('; ')} ]`,
  );
}

/** Error after the headers: XAPI writes an HTTP 500 response into the body, then closes. */
function failLate(call: HttpCall, t: { task: string; ownTask: boolean }, error: unknown): void {
  const f = asFailure(error);
  finish(call.ctx.state, t, f);
  if (!call.res.destroyed)
    call.res.end(
      `HTTP/1.1 500 Internal Error\r\ncontent-type: text/html\r\n\r\n` +
        `<html><body><h1>HTTP 500 internal server error</h1>${f.code}</body></html>`,
    );
}

function findVm(call: HttpCall): string {
  const { state } = call.ctx;
  const ref = call.query.get('ref');
  if (ref) return (state.require('VM', ref), ref);
  return state.refByUuid('VM', call.query.get('uuid') ?? '');
}

function findVdi(state: SimState, id: string | null): string {
  if (!id) throw failure('INTERNAL_ERROR', 'Missing parameter: vdi');
  if (state.has('VDI', id)) return id;
  return state.refByUuid('VDI', id);
}

/** How far a generator got, for the task's progress field (XAPI updates it while streaming). */
interface Progress {
  done: number;
  total: number;
}

function bodyOptions(call: HttpCall, task: string, compression: string | null, progress: Progress) {
  const { state, faults } = call.ctx;
  return {
    compression: compressionOf(compression),
    failAfterBytes: faults.exportFailAfterBytes,
    bytesPerSecond: exportRate(faults.exportBytesPerSecond, call.ctx.timing.exportBytesPerSecond),
    check: () => {
      const status = state.get('task', task)?.status;
      if (status === 'cancelled' || status === 'cancelling') throw failure('TASK_CANCELLED', task);
    },
    onProgress: () => setProgress(state, task, progress.total > 0 ? Math.min(0.99, progress.done / progress.total) : 0),
    cutLastPiece: faults.exportDamage === 'cut-last-piece',
  };
}

function okHeaders(task: string, contentType: string, filename: string): Record<string, string> {
  return {
    'content-type': contentType,
    'task-id': task,
    'cache-control': 'no-cache, no-store',
    'content-disposition': `attachment; filename="${filename}"`,
    server: 'xapi/1.20',
    connection: 'close',
  };
}

function* xvaStream(state: SimState, ova: ReturnType<typeof buildOva>, progress: Progress): Generator<Buffer> {
  progress.total = ova.disks.reduce((sum, d) => sum + chunkCount(d.size), 0);
  const mtime = Date.now() / 1000;
  const xml = Buffer.from(ova.xml, 'utf8');
  yield tarHeader('ova.xml', xml.length, mtime);
  yield xml;
  yield tarPadding(xml.length);
  for (const disk of ova.disks) {
    const content = state.disks.get(disk.vdi) ?? DEFAULT_CONTENT;
    const chunks = chunkCount(disk.size);
    for (let i = 0; i < chunks; i++) {
      progress.done++;
      const chunk = diskChunk(content, disk.size, i);
      if (chunk.zero && i !== 0 && i !== chunks - 1) continue; // XAPI skips zero chunks except first and last
      const name = `${disk.id}/${String(i).padStart(8, '0')}`;
      yield tarHeader(name, chunk.data.length, mtime);
      yield chunk.data;
      yield tarPadding(chunk.data.length);
      const hash = Buffer.from(chunk.hash(), 'ascii');
      yield tarHeader(`${name}.xxhash`, hash.length, mtime);
      yield hash;
      yield tarPadding(hash.length);
    }
  }
  yield TAR_END;
}

export async function handleExport(call: HttpCall): Promise<void> {
  const { state } = call.ctx;
  const t = begin(call, 'VM.export');
  if (!t) return;
  await settle(call);
  let vm: string;
  try {
    vm = findVm(call);
    const rec = state.get('VM', vm)!;
    if (rec.power_state === 'Running' || rec.power_state === 'Paused') {
      throw failure('VM_BAD_POWER_STATE', vm, 'halted, suspended', String(rec.power_state).toLowerCase());
    }
  } catch (error) {
    return failEarly(call, t, error);
  }
  try {
    // export.ml with_vm_locked `export` (fail_quickly: exportLockWaitMs) before the headers.
    await acquireVmOperation(state, vm, 'export', t.task, call.ctx.timing.exportLockWaitMs, call.ctx.signal);
  } catch (error) {
    return failEarly(call, t, error);
  }
  const ova = buildOva(state, vm, { preservePowerState: call.query.get('preserve_power_state') === 'true' });
  call.res.writeHead(200, 'OK', okHeaders(t.task, 'application/octet-stream', 'export.xva'));
  try {
    const progress = { done: 0, total: 0 };
    const body = damageXva(xvaStream(state, ova, progress), call.ctx.faults.exportDamage);
    await streamBody(call.res, body, bodyOptions(call, t.task, call.query.get('use_compression'), progress));
    call.res.end();
    finish(state, t);
  } catch (error) {
    failLate(call, t, error);
  } finally {
    removeOperation(state, vm, t.task);
  }
}

export async function handleExportMetadata(call: HttpCall): Promise<void> {
  const t = begin(call, 'VM.export_metadata');
  if (!t) return;
  await settle(call);
  let body: Buffer;
  let vm: string | undefined;
  try {
    vm = findVm(call);
    // export.ml lock_vm `metadata_export` (fail_quickly), held while the metadata is written.
    await acquireVmOperation(
      call.ctx.state,
      vm,
      'metadata_export',
      t.task,
      call.ctx.timing.exportLockWaitMs,
      call.ctx.signal,
    );
    // export.ml export_snapshots_from_request: true unless the query says otherwise.
    const withSnapshots = (call.query.get('export_snapshots') ?? 'true') === 'true';
    const ova = buildOva(call.ctx.state, vm, { includeDisks: false, withSnapshots, preservePowerState: true });
    body = tarOf([{ name: 'ova.xml', data: Buffer.from(ova.xml, 'utf8') }]);
  } catch (error) {
    return failEarly(call, t, error);
  } finally {
    if (vm !== undefined) removeOperation(call.ctx.state, vm, t.task);
  }
  call.res.writeHead(200, 'OK', {
    ...okHeaders(t.task, 'application/octet-stream', 'export.xva'),
    'content-length': String(body.length),
  });
  call.res.end(body);
  finish(call.ctx.state, t);
}

function* rawStream(state: SimState, vdi: string, size: number, progress: Progress): Generator<Buffer> {
  const content = state.disks.get(vdi) ?? DEFAULT_CONTENT;
  const chunks = chunkCount(size);
  progress.total = chunks;
  for (let i = 0; i < chunks; i++) {
    progress.done = i;
    yield diskChunk(content, size, i).data;
  }
}

export async function handleExportRawVdi(call: HttpCall): Promise<void> {
  const { state } = call.ctx;
  const t = begin(call, 'VDI.export_raw');
  if (!t) return;
  await settle(call);
  const format = call.query.get('format') ?? 'raw';
  let vdi: string;
  let size: number;
  try {
    vdi = findVdi(state, call.query.get('vdi'));
    size = Number(state.get('VDI', vdi)!.virtual_size);
    if (format !== 'raw' && format !== 'vhd') {
      const f = failure('INTERNAL_ERROR', `Unknown format ${format}`);
      finish(state, t, f);
      return sendError(call.res, 404, 'Not Found', `Unknown format ${format}`);
    }
    if (format === 'vhd' && size > VHD_MAX_SIZE) throw failure('VDI_TOO_LARGE', vdi, VHD_MAX_SIZE);
  } catch (error) {
    return failEarly(call, t, error);
  }
  const uuid = String(state.get('VDI', vdi)!.uuid);
  // VHD progress is not tracked chunk by chunk: the task goes from 0 to 1 at the end.
  const progress = { done: 0, total: 0 };
  const source =
    format === 'vhd'
      ? damageVhd(vhdStream(state.disks.get(vdi) ?? DEFAULT_CONTENT, size, uuid), call.ctx.faults.exportDamage)
      : rawStream(state, vdi, size, progress);
  call.res.writeHead(
    200,
    'OK',
    okHeaders(t.task, format === 'vhd' ? 'application/vhd' : 'application/octet-stream', `${uuid}.${format}`),
  );
  try {
    await streamBody(call.res, source, bodyOptions(call, t.task, null, progress));
    call.res.end();
    finish(state, t);
  } catch (error) {
    failLate(call, t, error);
  }
}

export async function handleXmlDbDump(call: HttpCall): Promise<void> {
  const t = begin(call, 'pool.dump_database');
  if (!t) return;
  await settle(call);
  const body = xmlDbDump(call.ctx.state);
  call.res.writeHead(200, 'OK', { 'cache-control': 'no-cache, no-store', connection: 'close', 'task-id': t.task });
  call.res.end(body);
  finish(call.ctx.state, t);
}
