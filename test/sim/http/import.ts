// PUT /import (ocaml/xapi/import.ml): reads an XVA from the request body and creates the VM,
// its disks (with the data received), VBDs and VIFs. Like XAPI it answers 200 with the task id
// *before* reading the body (xen-api's putResource first sends an empty probe, and without a
// length it declares 1 PiB and simply closes the socket after the data), and it completes the
// task with `<value><array><data><value>OpaqueRef:…</value></data></array></value>`.
import { createHash } from 'node:crypto';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';
import { Parser } from 'tar';
import { failure, XapiFailure } from '../errors';
import { NULL_REF } from '../ids';
import { parseValueDocument } from '../wire/xmlrpc';
import { xxh64Hex, ZERO_CHUNK } from './disk';
import { type ImportConfig, importObjects, type OvaObject } from './import-objects';
import { begin, failEarly, finish, type HttpCall } from './handlers';

interface Received {
  ova?: OvaObject[];
  chunks: Map<string, Map<number, Buffer>>;
  checksumError?: string;
}

function readXva(call: HttpCall): Promise<Received> {
  const received: Received = { chunks: new Map() };
  const lastChunk = new Map<string, Buffer>();
  return new Promise((resolve, reject) => {
    const parser = new Parser({
      onReadEntry: (entry) => {
        const parts: Buffer[] = [];
        entry.on('data', (c: Buffer) => parts.push(c));
        entry.on('end', () => {
          const data = Buffer.concat(parts);
          const path = entry.path;
          if (path === 'ova.xml') {
            const root = parseValueDocument(data.toString('utf8')) as { objects?: OvaObject[] };
            received.ova = root.objects ?? [];
            return;
          }
          const chunk = /^(Ref:\d+)\/(\d+)$/.exec(path);
          if (chunk) {
            if (!received.chunks.has(chunk[1])) received.chunks.set(chunk[1], new Map());
            // All-zero chunks are not kept: a missing chunk reads as zeros (http/disk.ts).
            if (data.length > 0 && !data.equals(ZERO_CHUNK.subarray(0, Math.min(data.length, ZERO_CHUNK.length))))
              received.chunks.get(chunk[1])!.set(Number(chunk[2]), data);
            lastChunk.set(chunk[1], data);
            return;
          }
          const sum = /^(Ref:\d+\/\d+)\.(xxhash|checksum)$/.exec(path);
          if (sum) {
            const [ref] = sum[1].split('/');
            const body = lastChunk.get(ref) ?? Buffer.alloc(0);
            const expected = sum[2] === 'xxhash' ? xxh64Hex(body) : createHash('sha1').update(body).digest('hex');
            if (data.toString('ascii').trim().toLowerCase() !== expected.toLowerCase()) received.checksumError ??= path;
          }
        });
      },
    });
    parser.on('error', reject);
    parser.on('end', () => resolve(received));
    const sink = decompressing(
      (d) => parser.write(d),
      () => parser.end(),
      reject,
    );
    // A client without a length sends 1 PiB as content-length and closes the socket when done.
    call.req.on('data', (d: Buffer) => sink.write(d));
    call.req.on('end', () => sink.end());
    call.req.on('close', () => sink.end());
  });
}

/** Feeds `write` with the body, gunzipped or un-zstd-ed when it starts with those magics. */
function decompressing(
  write: (d: Buffer) => void,
  end: () => void,
  fail: (e: Error) => void,
): { write(d: Buffer): void; end(): void } {
  let mode: 'unknown' | 'plain' | 'gzip' | 'zstd' = 'unknown';
  let head = Buffer.alloc(0);
  let ended = false;
  let gunzip: ReturnType<typeof createGunzip> | undefined;
  let unzstd: Decompress | undefined;
  const feed = (d: Buffer, last: boolean) => {
    if (mode === 'gzip') {
      if (d.length > 0) gunzip!.write(d);
      if (last) gunzip!.end();
    } else if (mode === 'zstd') {
      try {
        unzstd!.push(d, last);
      } catch (error) {
        fail(error as Error);
      }
      if (last) end();
    } else {
      if (d.length > 0) write(d);
      if (last) end();
    }
  };
  const decide = () => {
    if (head[0] === 0x1f && head[1] === 0x8b) {
      mode = 'gzip';
      gunzip = createGunzip();
      gunzip.on('data', write);
      gunzip.on('end', end);
      gunzip.on('error', fail);
    } else if (head.readUInt32LE(0) === 0xfd2fb528) {
      mode = 'zstd';
      unzstd = new Decompress((chunk) => write(Buffer.from(chunk)));
    } else {
      mode = 'plain';
    }
  };
  return {
    write(d) {
      if (mode !== 'unknown') return feed(d, false);
      head = Buffer.concat([head, d]);
      if (head.length < 4) return;
      decide();
      feed(head, false);
    },
    end() {
      if (ended) return;
      ended = true;
      // Still undecided: fewer than 4 bytes arrived, pass them on as they are.
      const rest = mode === 'unknown' ? head : Buffer.alloc(0);
      if (mode === 'unknown') mode = 'plain';
      feed(rest, true);
    },
  };
}

/** import.ml config flags from the query: restore, force, and the `vdi:<uuid>=<uuid>` map. */
function importConfig(call: HttpCall, task: string, metadata: boolean, sr: string): ImportConfig {
  const vdiMap: Record<string, string> = {};
  for (const [k, v] of call.query) if (k.startsWith('vdi:') && k.length > 4) vdiMap[k.slice(4)] = v;
  return {
    metadata,
    sr,
    fullRestore: call.query.get('restore') === 'true',
    force: call.query.get('force') === 'true',
    vdiMap,
    task,
    dryRun: metadata && call.query.get('dry_run') === 'true',
  };
}

function resultOf(vms: string[]): string {
  return `<value><array><data>${vms.map((vm) => `<value>${vm}</value>`).join('')}</data></array></value>`;
}

export async function handleImport(call: HttpCall): Promise<void> {
  const { state } = call.ctx;
  const t = begin(call, 'VM.import');
  if (!t) return;
  let sr: string;
  try {
    if (/chunked/i.test(String(call.req.headers['transfer-encoding'] ?? '')))
      throw failure('IMPORT_ERROR_CANNOT_HANDLE_CHUNKED');
    const srId = call.query.get('sr_id');
    const srUuid = call.query.get('sr_uuid');
    sr = srId
      ? (state.require('SR', srId), srId)
      : srUuid
        ? state.refByUuid('SR', srUuid)
        : String(state.entries('pool')[0][1].default_SR);
    state.require('SR', sr);
  } catch (error) {
    return failEarly(call, t, error);
  }
  call.res.writeHead(200, 'OK', { 'task-id': t.task, 'content-type': 'application/octet-stream', connection: 'close' });
  call.res.flushHeaders();
  try {
    const received = await readXva(call);
    if (!received.ova) throw failure('IMPORT_ERROR', 'no ova.xml in the archive');
    if (received.checksumError && call.query.get('force') !== 'true')
      throw failure('IMPORT_ERROR', `Checksum mismatch on ${received.checksumError}`);
    const vmObjects = received.ova.filter((o) => o.class === 'VM');
    if (vmObjects.length === 0) throw failure('IMPORT_ERROR', 'ova.xml holds no VM');
    const ova = received.ova;
    const imported = importObjects(state, ova, importConfig(call, t.task, false, sr), (created) => {
      // stream_vdi.ml recv_all_vdi reads each created disk's chunks from the archive; an archive
      // without them (a metadata export imported as a full one) ends too early.
      const disks = new Set(
        ova.filter((o) => o.class === 'VBD' && o.snapshot.type !== 'CD').map((o) => o.snapshot.VDI),
      );
      const streamed = [...created.keys()].filter((id) => disks.has(id));
      if (streamed.length > 0 && received.chunks.size === 0) throw failure('IMPORT_ERROR_PREMATURE_EOF');
      for (const [id, vdi] of created)
        state.disks.set(vdi, { used: 0, seed: 0, chunks: received.chunks.get(id) ?? new Map() });
    });
    finish(state, t, undefined, resultOf(imported.vms));
  } catch (error) {
    finish(state, t, error instanceof XapiFailure ? error : failure('IMPORT_ERROR', (error as Error).message));
  }
  if (!call.res.destroyed) call.res.end();
}

/**
 * PUT /import_metadata (import.ml metadata_handler): an XVA holding only ova.xml (what
 * /export_metadata writes; plain, gzip or zstd); the VM records are made, their disks found in
 * the pool (import-objects.ts). `sr_id` is not used. Answers 200 with the task id first.
 */
export async function handleImportMetadata(call: HttpCall): Promise<void> {
  const { state } = call.ctx;
  const t = begin(call, 'VM.metadata_import');
  if (!t) return;
  call.res.writeHead(200, 'OK', { 'task-id': t.task, 'content-type': 'application/octet-stream', connection: 'close' });
  call.res.flushHeaders();
  try {
    const received = await readXva(call);
    if (!received.ova) throw failure('IMPORT_ERROR', 'no ova.xml in the archive');
    const imported = importObjects(state, received.ova, importConfig(call, t.task, true, NULL_REF));
    finish(state, t, undefined, resultOf(imported.vms));
  } catch (error) {
    finish(state, t, error instanceof XapiFailure ? error : failure('IMPORT_ERROR', (error as Error).message));
  }
  if (!call.res.destroyed) call.res.end();
}
