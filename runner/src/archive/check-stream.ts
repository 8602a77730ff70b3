// One entry point for every export file: feed it the file's bytes as they come (a file
// read, an ssh channel, or a copy of a download while it is written) and it resolves with
// what it found, or rejects with ArchiveDamage naming the first problem. Decompression
// (gzip: zlib, zstd: fzstd, both streaming) happens here; the checkers themselves are
// synchronous and keep no more than one chunk, so memory is flat whatever the file size.
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';
import { ArchiveDamage } from './damage';
import { RawImageChecker, VhdImageChecker, type DiskImageSummary } from './disk-image-check';
import { loadHashers } from './hashes';
import { TarStreamReader } from './tar-stream';
import { XvaChecker, type XvaSummary } from './xva-check';

export type Compression = 'none' | 'gzip' | 'zstd';

export type ArchiveSpec =
  | { kind: 'xva'; compression: Compression; metadataOnly?: boolean }
  | { kind: 'raw' | 'vhd'; virtualSize: number };

export interface ArchiveSummary {
  /** Bytes of the file as stored. */
  fileBytes: number;
  xva?: XvaSummary & { tarBytes: number };
  image?: DiskImageSummary;
}

const MAGIC: Record<Exclude<Compression, 'none'>, number[]> = {
  gzip: [0x1f, 0x8b],
  zstd: [0x28, 0xb5, 0x2f, 0xfd],
};

function compressionOf(head: Uint8Array): Compression {
  for (const [name, magic] of Object.entries(MAGIC)) {
    if (magic.every((byte, i) => head[i] === byte)) return name as Compression;
  }
  return 'none';
}

function describe(compression: Compression): string {
  return compression === 'none' ? 'not compressed' : `${compression}-compressed`;
}

async function* counted(source: AsyncIterable<Uint8Array>, total: { bytes: number }, expected?: Compression) {
  for await (const chunk of source) {
    if (total.bytes === 0 && expected !== undefined && chunk.length >= 4 && compressionOf(chunk) !== expected) {
      throw new ArchiveDamage(`the file is ${describe(compressionOf(chunk))}, expected ${describe(expected)}`);
    }
    total.bytes += chunk.length;
    yield chunk;
  }
}

async function* unzstd(source: AsyncIterable<Uint8Array>) {
  const out: Uint8Array[] = [];
  const decoder = new ZstdDecompress((chunk) => out.push(chunk));
  try {
    for await (const chunk of source) {
      decoder.push(chunk);
      yield* out.splice(0);
    }
    decoder.push(new Uint8Array(0), true);
  } catch (error) {
    if (error instanceof ArchiveDamage) throw error;
    throw new ArchiveDamage(`the zstd stream is damaged: ${(error as Error).message}`);
  }
  yield* out.splice(0);
}

function imageChecker(spec: Extract<ArchiveSpec, { kind: 'raw' | 'vhd' }>) {
  return spec.kind === 'raw' ? new RawImageChecker(spec.virtualSize) : new VhdImageChecker(spec.virtualSize);
}

/** A check fed piece by piece, synchronously, as the bytes pass (no stream in between). */
export interface ArchivePushCheck {
  /** Throws ArchiveDamage at the first problem. */
  push(chunk: Uint8Array): void;
  /** At the end of the bytes: the summary, or ArchiveDamage for what is missing. */
  finish(): ArchiveSummary;
}

/**
 * The synchronous check of an export that needs no decompression (raw, vhd, an uncompressed
 * XVA), or undefined for gzip/zstd (checkArchive decodes those in a stream of their own).
 */
export async function pushCheck(spec: ArchiveSpec): Promise<ArchivePushCheck | undefined> {
  let fileBytes = 0;
  if (spec.kind !== 'xva') {
    const checker = imageChecker(spec);
    return {
      push: (chunk) => {
        fileBytes += chunk.length;
        checker.push(chunk);
      },
      finish: () => ({ fileBytes, image: checker.finish() }),
    };
  }
  if (spec.compression !== 'none') return undefined;
  const xva = new XvaChecker(await loadHashers(), { metadataOnly: spec.metadataOnly ?? false });
  const tar = new TarStreamReader(xva);
  return {
    push: (chunk) => {
      if (fileBytes === 0 && chunk.length >= 4 && compressionOf(chunk) !== 'none') {
        throw new ArchiveDamage(`the file is ${describe(compressionOf(chunk))}, expected ${describe('none')}`);
      }
      fileBytes += chunk.length;
      tar.push(chunk);
    },
    finish: () => {
      const { bytes } = tar.finish();
      return { fileBytes, xva: { ...xva.finish(), tarBytes: bytes } };
    },
  };
}

/** Reads `source` to its end and proves it a complete export of the kind `spec` names. */
export async function checkArchive(source: AsyncIterable<Uint8Array>, spec: ArchiveSpec): Promise<ArchiveSummary> {
  const direct = await pushCheck(spec);
  if (direct) {
    for await (const chunk of source) direct.push(chunk);
    return direct.finish();
  }
  if (spec.kind !== 'xva') throw new Error('unreachable: disk images are always checked directly');
  const file = { bytes: 0 };
  const xva = new XvaChecker(await loadHashers(), { metadataOnly: spec.metadataOnly ?? false });
  const tar = new TarStreamReader(xva);
  const consume = async (tarBytes: AsyncIterable<Uint8Array>) => {
    for await (const chunk of tarBytes) tar.push(chunk);
  };
  const input = counted(source, file, spec.compression);
  if (spec.compression === 'gzip') {
    await pipeline(input, createGunzip({ chunkSize: 256 * 1024 }), consume).catch((error: unknown) => {
      if (error instanceof ArchiveDamage || !String((error as { code?: unknown }).code).startsWith('Z_')) throw error;
      throw new ArchiveDamage(`the gzip stream is damaged: ${(error as Error).message}`);
    });
  } else await consume(unzstd(input));
  const { bytes } = tar.finish();
  return { fileBytes: file.bytes, xva: { ...xva.finish(), tarBytes: bytes } };
}
