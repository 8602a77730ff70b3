// One download from a XenAPI HTTP handler (/export, /export_raw_vdi, /export_metadata,
// /pool/xmldbdump), as `xe` makes it (cli_operations.ml download_file, cli_util.ml
// track_http_operation): a task of ours is passed as task_id, the handler adopts it and
// completes it; its outcome is the operation's. A 302 to the pool member that sees the disks
// (export.ml, export_raw_vdi.ml) is followed with that member's certificate pin: the
// dispatcher checks every connection against the host it goes to (pool/tls.ts). The body is
// written once and, when a check is given, fed to the streaming archive check as it passes:
// both sides under back-pressure, the file fsync'ed before the result counts.
import { createWriteStream, type WriteStream } from 'node:fs';
import { fsync, close } from 'node:fs';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { request, type Dispatcher } from 'undici';
import { ArchiveDamage, checkArchive, pushCheck, type ArchiveSpec, type ArchiveSummary } from '../archive/index';

const MAX_REDIRECTS = 3;
const CHECK_BUFFER_BYTES = 4 * 1024 * 1024;
const FILE_BUFFER_BYTES = 4 * 1024 * 1024;

export interface DownloadRequest {
  /** Where the pool answers (the --xapi URL): scheme and port redirects keep, as xe keeps its own. */
  base: URL;
  path: string;
  query: Record<string, string>;
  dispatcher: Dispatcher;
  /** Created exclusively (mode 0600) once the handler answers 200, as xe creates it. */
  file: string;
  /** The archive check run on the bytes while they are written. */
  check?: ArchiveSpec;
  signal?: AbortSignal;
}

export type DownloadOutcome =
  | {
      kind: 'written';
      bytes: number;
      summary?: ArchiveSummary;
      damage?: ArchiveDamage;
      /** The check found damage while the handler was still sending: we closed the stream. */
      brokeOff?: boolean;
    }
  /** The handler answered an error status before any byte (its task holds the error). */
  | { kind: 'refused'; status: number; text: string }
  /** A host the download was redirected to could not be reached: no file is made. */
  | { kind: 'unreachable'; url: string; reason: string };

const fsyncFd = promisify(fsync);
const closeFd = promisify(close);

/** Location without a port: the port (and scheme) we use, as xe keeps its own `-p`/`--nossl`. */
export function redirectTarget(from: URL, location: string): URL {
  const next = new URL(location, from);
  if (next.port === '' && from.port !== '') {
    next.protocol = from.protocol;
    next.port = from.port;
  } else if (next.port === '' && from.protocol === 'http:') next.protocol = 'http:';
  return next;
}

const reasonOf = (error: unknown): string => {
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  return [e.cause?.code ?? e.code, e.cause?.message ?? e.message].filter(Boolean).join(' ');
};

async function openResponse(req: DownloadRequest): Promise<Dispatcher.ResponseData | DownloadOutcome> {
  let url = new URL(req.path, req.base);
  for (const [k, v] of Object.entries(req.query)) url.searchParams.set(k, v);
  for (let hop = 0; ; hop++) {
    let response: Dispatcher.ResponseData;
    try {
      response = await request(url, {
        dispatcher: req.dispatcher,
        method: 'GET',
        maxRedirections: 0,
        ...(req.signal ? { signal: req.signal } : {}),
      });
    } catch (error) {
      if (hop === 0 || req.signal?.aborted) throw error;
      return { kind: 'unreachable', url: url.origin, reason: reasonOf(error) };
    }
    const location = response.headers.location;
    if (response.statusCode >= 300 && response.statusCode < 400 && typeof location === 'string') {
      await response.body.dump();
      if (hop >= MAX_REDIRECTS) throw new Error(`too many redirects (last to ${location})`);
      url = redirectTarget(url, location);
      continue;
    }
    if (response.statusCode !== 200) {
      const text = (await response.body.text().catch(() => '')).slice(0, 2000);
      return { kind: 'refused', status: response.statusCode, text };
    }
    return response;
  }
}

async function finishFile(file: WriteStream): Promise<void> {
  file.end();
  await once(file, 'finish');
  const fd = (file as unknown as { fd: number }).fd;
  try {
    await fsyncFd(fd);
  } finally {
    await closeFd(fd);
  }
}

/** The check of the bytes as they pass: synchronous when no decompression is needed, else a side stream. */
interface InFlight {
  /** Feeds a piece; resolves when the check can take more (back-pressure). */
  push(chunk: Buffer): Promise<void> | undefined;
  /** The damage found so far, if any. */
  damage(): ArchiveDamage | undefined;
  finish(): Promise<ArchiveSummary | undefined>;
  destroy(): void;
}

async function inFlight(spec: ArchiveSpec): Promise<InFlight> {
  let damage: ArchiveDamage | undefined;
  const direct = await pushCheck(spec);
  if (direct) {
    const guard = <T>(work: () => T): T | undefined => {
      if (damage) return undefined;
      try {
        return work();
      } catch (error) {
        if (!(error instanceof ArchiveDamage)) throw error;
        damage = error;
        return undefined;
      }
    };
    return {
      push: (chunk) => (guard(() => direct.push(chunk)), undefined),
      damage: () => damage,
      finish: async () => guard(() => direct.finish()),
      destroy: () => undefined,
    };
  }
  // gzip / zstd: decoded in a stream of their own, fed through a bounded buffer.
  const feed = new PassThrough({ highWaterMark: CHECK_BUFFER_BYTES });
  let otherError: unknown;
  const checking = checkArchive(feed, spec);
  const failed = checking.then(
    () => new Promise<never>(() => undefined),
    (error: unknown) => {
      if (error instanceof ArchiveDamage) damage = error;
      else otherError = error;
    },
  );
  return {
    push: (chunk) => {
      if (otherError !== undefined) throw otherError;
      if (damage || feed.write(chunk)) return undefined;
      return Promise.race([once(feed, 'drain'), failed]).then(() => undefined);
    },
    damage: () => damage,
    finish: async () => {
      feed.end();
      const summary = await checking.catch(() => undefined);
      if (otherError !== undefined) throw otherError;
      return summary;
    },
    destroy: () => feed.destroy(),
  };
}

export async function download(req: DownloadRequest): Promise<DownloadOutcome> {
  const opened = await openResponse(req);
  if ('kind' in opened) return opened;
  const body = opened.body;
  // Before the file is made: its 'open' event must not pass while this waits (hash loading).
  const check = req.check ? await inFlight(req.check) : undefined;
  const file = createWriteStream(req.file, {
    flags: 'wx',
    mode: 0o600,
    autoClose: false,
    highWaterMark: FILE_BUFFER_BYTES,
  });
  let fileError: unknown;
  file.on('error', (error) => (fileError ??= error));
  let bytes = 0;
  let brokeOff = false;
  try {
    await once(file, 'open');
    for await (const chunk of body as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      const fileReady = file.write(chunk);
      const checked = check?.push(chunk);
      if (!fileReady) await once(file, 'drain');
      if (checked) await checked;
      if (fileError !== undefined) throw fileError;
      if (check?.damage()) {
        brokeOff = true;
        break;
      }
    }
    const summary = await check?.finish();
    const damage = check?.damage();
    if (damage) {
      body.destroy();
      check?.destroy();
    }
    await finishFile(file);
    return {
      kind: 'written',
      bytes,
      ...(summary ? { summary } : {}),
      ...(damage ? { damage } : {}),
      ...(brokeOff ? { brokeOff } : {}),
    };
  } catch (error) {
    body.destroy();
    check?.destroy();
    file.destroy();
    await closeFd((file as unknown as { fd: number }).fd).catch(() => undefined);
    throw error;
  }
}
