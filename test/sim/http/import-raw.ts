// PUT /import_raw_vdi (ocaml/xapi/import_raw_vdi.ml localhost_handler): writes a raw or VHD
// image into an existing VDI (`vdi=` ref or uuid), or — raw with a content-length and `sr_id`/
// `sr_uuid` but no `vdi` — into a new VDI "Imported VDI" of exactly that size. Errors before the
// body: unknown format → INTERNAL_ERROR ["Unknown format X"] with HTTP 404; a VHD with the
// `chunked` protocol → INTERNAL_ERROR ["Cannot handle chunked VHD"] (404); a chunked
// transfer-encoding → INTERNAL_ERROR ["Cannot handle encoding: chunked"] (404); neither VDI nor
// SR → VDI_MISSING with HTTP 400. Then 200 with the task id, and vhd-tool copies the body
// (vhd_tool_wrapper.ml receive): raw = exactly content-length bytes from offset 0 (the VDI's size
// without a length), VHD = its data blocks; anything vhd-tool fails on (a body shorter than
// announced, data past the end of the VDI, a damaged VHD) fails the task with VDI_IO_ERROR
// ["Device I/O errors"]. What was written before the failure stays written. On success the
// task's result is the VDI ref.
import { createVdi } from '../create-ops';
import { asFailure, failure, XapiFailure } from '../errors';
import type { SimState } from '../state';
import { ByteReader } from './byte-reader';
import { DEFAULT_CONTENT } from './disk';
import { DiskWriter } from './disk-write';
import { begin, finish, type HttpCall } from './handlers';
import { receiveVhd } from './vhd-receive';

function vdiOf(state: SimState, id: string | null): string | undefined {
  if (!id) return undefined;
  if (state.has('VDI', id)) return id;
  return state.refByUuid('VDI', id);
}

function srOf(state: SimState, query: URLSearchParams): string | undefined {
  const id = query.get('sr_id');
  if (id) return (state.require('SR', id), id);
  const uuid = query.get('sr_uuid');
  return uuid ? state.refByUuid('SR', uuid) : undefined;
}

function refuse(call: HttpCall, t: { task: string; ownTask: boolean }, error: XapiFailure, status: 400 | 404): void {
  finish(call.ctx.state, t, error);
  if (call.res.headersSent || call.res.destroyed) return;
  call.res.writeHead(status, status === 404 ? 'Not Found' : 'Bad Request', { connection: 'close' });
  call.res.end();
}

async function copyRaw(reader: ByteReader, writer: DiskWriter, length: number): Promise<void> {
  let offset = 0;
  while (offset < length) {
    const piece = await reader.next(Math.min(1 << 20, length - offset));
    if (!piece) throw failure('VDI_IO_ERROR', 'Device I/O errors');
    writer.write(offset, piece);
    offset += piece.length;
  }
}

export async function handleImportRawVdi(call: HttpCall): Promise<void> {
  const { state } = call.ctx;
  const t = begin(call, 'VDI.import');
  if (!t) return;
  const format = call.query.get('format') ?? 'raw';
  const lengthHeader = call.req.headers['content-length'];
  const length = lengthHeader === undefined ? undefined : Number(lengthHeader);
  let vdi: string;
  try {
    if (format !== 'raw' && format !== 'vhd')
      return refuse(call, t, failure('INTERNAL_ERROR', `Unknown format ${format}`), 404);
    if (format === 'vhd' && call.query.has('chunked'))
      return refuse(call, t, failure('INTERNAL_ERROR', 'Cannot handle chunked VHD'), 404);
    const encoding = call.req.headers['transfer-encoding'];
    if (encoding !== undefined)
      return refuse(call, t, failure('INTERNAL_ERROR', `Cannot handle encoding: ${encoding}`), 404);
    const existing = vdiOf(state, call.query.get('vdi'));
    const sr = existing ? undefined : srOf(state, call.query);
    if (existing) vdi = existing;
    else if (sr === undefined) return refuse(call, t, failure('VDI_MISSING'), 400);
    else if (format === 'vhd')
      return refuse(call, t, failure('INTERNAL_ERROR', 'Importing a VHD directly into an SR not yet supported'), 400);
    else if (length === undefined)
      return refuse(call, t, failure('INTERNAL_ERROR', 'Not enough info supplied to import'), 400);
    else vdi = createVdi(state, { name_label: 'Imported VDI', SR: sr, virtual_size: length });
  } catch (error) {
    return refuse(call, t, asFailure(error), 400);
  }
  call.res.writeHead(200, 'OK', { 'task-id': t.task, 'content-type': 'application/octet-stream', connection: 'close' });
  call.res.flushHeaders();
  const size = Number(state.get('VDI', vdi)!.virtual_size);
  const writer = new DiskWriter(size, state.disks.get(vdi) ?? DEFAULT_CONTENT);
  const reader = new ByteReader(call.req, length);
  try {
    if (format === 'raw') await copyRaw(reader, writer, length ?? size);
    else await receiveVhd(reader, writer, length);
    await reader.drain();
    if (state.has('VDI', vdi)) state.disks.set(vdi, writer.content());
    finish(state, t, undefined, `<value>${vdi}</value>`);
  } catch (error) {
    if (state.has('VDI', vdi)) state.disks.set(vdi, writer.content());
    const f = error instanceof XapiFailure ? error : failure('VDI_IO_ERROR', 'Device I/O errors');
    finish(state, t, f);
  }
  if (!call.res.destroyed) call.res.end();
}
