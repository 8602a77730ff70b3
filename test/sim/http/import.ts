// PUT /import (ocaml/xapi/import.ml): reads an XVA from the request body and creates the VM,
// its disks (with the data received), VBDs and VIFs. Like XAPI it answers 200 with the task id
// *before* reading the body (xen-api's putResource first sends an empty probe, and without a
// length it declares 1 PiB and simply closes the socket after the data), and it completes the
// task with `<value><array><data><value>OpaqueRef:…</value></data></array></value>`.
import { createHash } from 'node:crypto';
import { createGunzip } from 'node:zlib';
import { Decompress } from 'fzstd';
import { Parser } from 'tar';
import { fieldsOf } from '../datamodel';
import { coerce } from '../api/generic';
import { failure, XapiFailure } from '../errors';
import { NULL_REF } from '../ids';
import type { SimState, XapiRecord } from '../state';
import { parseValueDocument } from '../wire/xmlrpc';
import { xxh64Hex } from './disk';
import { begin, failEarly, finish, type HttpCall } from './handlers';
import { vmAllowedOperations } from '../ops';
import { xapiDate } from '../time';

interface OvaObject {
  class: string;
  id: string;
  snapshot: Record<string, unknown>;
}

interface Received {
  ova?: OvaObject[];
  chunks: Map<string, Map<number, Buffer>>;
  checksumError?: string;
}

/** Fields of `cls` from an ova.xml snapshot, typed as the data model says; refs left out. */
function fieldsFrom(cls: string, snapshot: Record<string, unknown>): XapiRecord {
  const out: XapiRecord = {};
  for (const f of fieldsOf(cls)) {
    if (!(f.name in snapshot) || f.name === 'uuid') continue;
    const refLike = f.type.k === 'ref' || (f.type.k === 'set' && f.type.of.k === 'ref') || (f.type.k === 'map' && f.type.key.k === 'ref');
    if (!refLike) out[f.name] = coerce(snapshot[f.name], f.type);
  }
  return out;
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
            if (data.length > 0) received.chunks.get(chunk[1])!.set(Number(chunk[2]), data);
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
    const sink = decompressing((d) => parser.write(d), () => parser.end(), reject);
    // A client without a length sends 1 PiB as content-length and closes the socket when done.
    call.req.on('data', (d: Buffer) => sink.write(d));
    call.req.on('end', () => sink.end());
    call.req.on('close', () => sink.end());
  });
}

/** Feeds `write` with the body, gunzipped or un-zstd-ed when it starts with those magics. */
function decompressing(write: (d: Buffer) => void, end: () => void, fail: (e: Error) => void): { write(d: Buffer): void; end(): void } {
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

function createVm(state: SimState, received: Received, sr: string, restore: boolean): string {
  const objects = received.ova ?? [];
  const vmObject = objects.find((o) => o.class === 'VM');
  if (!vmObject) throw failure('IMPORT_ERROR', 'ova.xml holds no VM');
  const byId = new Map(objects.map((o) => [o.id, o]));
  const uuidFree = (cls: string, uuid: unknown) => restore && typeof uuid === 'string' && !state.findByUuid(cls, uuid);
  const keepUuid = (cls: string, snapshot: Record<string, unknown>) => (uuidFree(cls, snapshot.uuid) ? { uuid: snapshot.uuid } : {});
  const vdis = new Map<string, string>();
  for (const o of objects.filter((x) => x.class === 'VDI')) {
    const ref = state.create('VDI', { ...fieldsFrom('VDI', o.snapshot), ...keepUuid('VDI', o.snapshot), SR: sr, VBDs: [], snapshots: [], is_a_snapshot: false, managed: true, current_operations: {} });
    state.disks.set(ref, { used: 0, seed: 0, chunks: received.chunks.get(o.id) ?? new Map() });
    state.append('SR', sr, 'VDIs', ref);
    vdis.set(o.id, ref);
  }
  const metrics = state.create('VM_metrics', { install_time: xapiDate() });
  const vm = state.create('VM', {
    ...fieldsFrom('VM', vmObject.snapshot),
    ...keepUuid('VM', vmObject.snapshot),
    power_state: 'Halted',
    is_a_snapshot: false,
    domid: -1,
    metrics,
    current_operations: {},
    allowed_operations: vmAllowedOperations('Halted', Boolean(vmObject.snapshot.is_a_template)),
  });
  const networks = state.entries('network');
  for (const o of objects.filter((x) => x.class === 'VBD' && x.snapshot.VM === vmObject.id)) {
    const vdi = vdis.get(String(o.snapshot.VDI)) ?? NULL_REF;
    const vbd = state.create('VBD', { ...fieldsFrom('VBD', o.snapshot), VM: vm, VDI: vdi, currently_attached: false, empty: vdi === NULL_REF, device: '' });
    state.append('VM', vm, 'VBDs', vbd);
    if (vdi !== NULL_REF) state.append('VDI', vdi, 'VBDs', vbd);
  }
  for (const o of objects.filter((x) => x.class === 'VIF' && x.snapshot.VM === vmObject.id)) {
    const netName = byId.get(String(o.snapshot.network))?.snapshot.name_label;
    const network = (networks.find(([, n]) => n.name_label === netName) ?? networks[0])?.[0] ?? NULL_REF;
    const vif = state.create('VIF', { ...fieldsFrom('VIF', o.snapshot), ...keepUuid('VIF', o.snapshot), VM: vm, network, currently_attached: false });
    state.append('VM', vm, 'VIFs', vif);
    if (network !== NULL_REF) state.append('network', network, 'VIFs', vif);
  }
  return vm;
}

export async function handleImport(call: HttpCall): Promise<void> {
  const { state } = call.ctx;
  const t = begin(call, 'VM.import');
  if (!t) return;
  let sr: string;
  try {
    if (/chunked/i.test(String(call.req.headers['transfer-encoding'] ?? ''))) throw failure('IMPORT_ERROR_CANNOT_HANDLE_CHUNKED');
    const srId = call.query.get('sr_id');
    const srUuid = call.query.get('sr_uuid');
    sr = srId ? (state.require('SR', srId), srId) : srUuid ? state.refByUuid('SR', srUuid) : String(state.entries('pool')[0][1].default_SR);
    state.require('SR', sr);
  } catch (error) {
    return failEarly(call, t, error);
  }
  call.res.writeHead(200, 'OK', { 'task-id': t.task, 'content-type': 'application/octet-stream', connection: 'close' });
  call.res.flushHeaders();
  try {
    const received = await readXva(call);
    if (!received.ova) throw failure('IMPORT_ERROR', 'no ova.xml in the archive');
    if (received.checksumError && call.query.get('force') !== 'true') throw failure('IMPORT_ERROR', `Checksum mismatch on ${received.checksumError}`);
    const vm = createVm(state, received, sr, call.query.get('restore') === 'true');
    finish(state, t, undefined, `<value><array><data><value>${vm}</value></data></array></value>`);
  } catch (error) {
    finish(state, t, error instanceof XapiFailure ? error : failure('IMPORT_ERROR', (error as Error).message));
  }
  if (!call.res.destroyed) call.res.end();
}
