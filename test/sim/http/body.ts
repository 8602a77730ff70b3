// Streams a generated body to an HTTP response with XAPI's behaviour around it: optional gzip or
// zstd compression, throttling (slow export fault), failure after N bytes (VDI_IO_ERROR fault),
// task cancellation and client disconnects, always honouring socket backpressure.
import type { ServerResponse } from 'node:http';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import * as zstd from '@bokuweb/zstd-wasm';
import { failure, XapiFailure } from '../errors';

let zstdReady: Promise<void> | undefined;
export function initZstd(): Promise<void> {
  zstdReady ??= zstd.init();
  return zstdReady;
}

/** zstd: one frame per ~1 MiB of input (concatenated frames are one valid zstd stream). */
function zstdTransform(): Transform {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flushPending = (t: Transform) => {
    if (pendingBytes === 0) return;
    t.push(Buffer.from(zstd.compress(Buffer.concat(pending, pendingBytes), 3)));
    pending = [];
    pendingBytes = 0;
  };
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= 1024 * 1024) flushPending(this);
      cb();
    },
    flush(cb) {
      flushPending(this);
      cb();
    },
  });
}

export type Compression = 'none' | 'gzip' | 'zstd';

export function compressionOf(value: string | null): Compression {
  if (value === 'true' || value === 'gzip') return 'gzip';
  if (value === 'zstd') return 'zstd';
  return 'none';
}

export interface BodyOptions {
  compression: Compression;
  failAfterBytes: number | null;
  bytesPerSecond: number | null;
  /** Throws (e.g. TASK_CANCELLED) when the transfer must stop. */
  check?: () => void;
  /** Called with the number of body bytes sent so far, about once per second. */
  onProgress?: (bytes: number) => void;
  /** The exportDamage fault `cut-last-piece`: the last piece sent is cut in half, silently. */
  cutLastPiece?: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Pipes `source` into `res`; rejects with a XapiFailure when the transfer breaks. */
export async function streamBody(res: ServerResponse, source: Iterable<Buffer> | AsyncIterable<Buffer>, options: BodyOptions): Promise<number> {
  let sent = 0;
  const started = Date.now();
  let lastProgress = started;
  const writeRaw = (data: Buffer): Promise<void> =>
    new Promise((resolve, reject) => {
      if (res.destroyed) return reject(failure('INTERNAL_ERROR', 'Unix.Unix_error(Unix.EPIPE, "write", "")'));
      if (res.write(data)) return resolve();
      // Backpressure: wait until the socket drained (or went away).
      const onDrain = () => (res.off('close', onClose), resolve());
      const onClose = () => (res.off('drain', onDrain), reject(failure('INTERNAL_ERROR', 'Unix.Unix_error(Unix.EPIPE, "write", "")')));
      res.once('drain', onDrain);
      res.once('close', onClose);
    });
  /** Sends one piece of the (possibly compressed) body, applying faults and throttling. */
  const send = async (chunk: Buffer): Promise<void> => {
    options.check?.();
    let data = chunk;
    const limit = options.failAfterBytes;
    let broken = false;
    if (limit !== null && sent + data.length >= limit) {
      data = data.subarray(0, Math.max(0, limit - sent));
      broken = true;
    }
    const rate = options.bytesPerSecond;
    if (rate && rate > 0) {
      const slice = Math.max(1, Math.floor(rate / 20));
      for (let off = 0; off < data.length; off += slice) {
        const piece = data.subarray(off, off + slice);
        await writeRaw(piece);
        sent += piece.length;
        const ahead = (sent / rate) * 1000 - (Date.now() - started);
        if (ahead > 0) await sleep(ahead);
        options.check?.();
      }
    } else if (data.length > 0) {
      await writeRaw(data);
      sent += data.length;
    }
    if (Date.now() - lastProgress > 1000) {
      lastProgress = Date.now();
      options.onProgress?.(sent);
    }
    if (broken) throw failure('VDI_IO_ERROR', 'Device I/O errors');
  };
  let held: Buffer | undefined;
  const emit = async (chunk: Buffer): Promise<void> => {
    if (!options.cutLastPiece) return send(chunk);
    if (held) await send(held);
    held = chunk;
  };
  const sink = new Writable({
    highWaterMark: 4 * 1024 * 1024,
    write(chunk: Buffer, _enc, cb) {
      emit(chunk).then(() => cb(), (error) => cb(error as Error));
    },
  });
  let compressor: Transform | undefined;
  if (options.compression === 'gzip') compressor = createGzip();
  if (options.compression === 'zstd') {
    await initZstd();
    compressor = zstdTransform();
  }
  try {
    if (compressor) {
      await pipeline(Readable.from(source, { objectMode: false, highWaterMark: 4 * 1024 * 1024 }), compressor, sink);
    } else {
      // Fast path: shared chunk buffers go straight to the socket, no stream layers in between.
      for await (const chunk of source) await emit(chunk);
    }
    if (held) await send(held.subarray(0, Math.floor(held.length / 2)));
  } catch (error) {
    throw error instanceof XapiFailure ? error : failure('INTERNAL_ERROR', (error as Error).message);
  }
  return sent;
}
