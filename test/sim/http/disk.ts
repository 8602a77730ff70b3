// Deterministic, sparse virtual disk contents. A disk is a sequence of 1 MiB chunks, each either
// all zero or one of a few precomputed pattern chunks (chosen by the disk's seed and the chunk
// index), so a 10 GiB disk costs no memory and exports stream shared buffers at memory speed.
// The XXH64 of every pattern chunk is computed once, as the XVA writer needs it per chunk.
import xxhashInit from 'xxhash-wasm';
import { chunkHasData } from '../fixture';
import type { DiskContent } from '../state';

export const CHUNK = 1024 * 1024;
const PATTERNS = 8;

export const ZERO_CHUNK = Buffer.alloc(CHUNK);

function makePattern(k: number): Buffer {
  const b = Buffer.alloc(CHUNK);
  // First half: pseudo-random bytes (incompressible); second half: repeated text (compressible),
  // so compressed exports shrink like real disks do, roughly by half.
  let x = (0x9e3779b9 ^ (k * 0x85ebca6b)) >>> 0;
  for (let i = 0; i < CHUNK / 2; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b.writeUInt32LE(x >>> 0, i);
  }
  const text = Buffer.from(`vmbackup simulator disk pattern ${k}: the quick brown fox jumps over the lazy dog\n`);
  for (let i = CHUNK / 2; i < CHUNK; i += text.length) text.copy(b, i, 0, Math.min(text.length, CHUNK - i));
  return b;
}

export const PATTERN_CHUNKS: readonly Buffer[] = Array.from({ length: PATTERNS }, (_, k) => makePattern(k));

let hasher: Awaited<ReturnType<typeof xxhashInit>> | undefined;
const patternHashes: string[] = [];

/** Loads the XXH64 implementation and hashes the pattern chunks (once per process). */
export async function initDiskContent(): Promise<void> {
  if (hasher) return;
  hasher = await xxhashInit();
  for (const p of PATTERN_CHUNKS) patternHashes.push(xxh64Hex(p));
}

/** XXH64 (seed 0) as 16 uppercase hex digits, as XAPI writes into `.xxhash` files. */
export function xxh64Hex(data: Uint8Array): string {
  if (!hasher) throw new Error('initDiskContent() must run first');
  return hasher.h64Raw(data).toString(16).padStart(16, '0').toUpperCase();
}

export interface Chunk {
  data: Buffer;
  /** XXH64 of `data` (uppercase hex). */
  hash: () => string;
  zero: boolean;
}

export function chunkCount(size: number): number {
  return Math.ceil(size / CHUNK);
}

/** Chunk `i` of a disk of `size` bytes. */
export function diskChunk(content: DiskContent, size: number, i: number): Chunk {
  const length = Math.min(CHUNK, size - i * CHUNK);
  if (content.chunks) {
    const stored = content.chunks.get(i);
    const data =
      stored && stored.length === length
        ? stored
        : stored
          ? Buffer.concat([stored, ZERO_CHUNK], length)
          : ZERO_CHUNK.subarray(0, length);
    const zero = !stored || data.equals(ZERO_CHUNK.subarray(0, length));
    return { data, zero, hash: () => xxh64Hex(data) };
  }
  if (!chunkHasData(i, content.used)) {
    const data = length === CHUNK ? ZERO_CHUNK : ZERO_CHUNK.subarray(0, length);
    return { data, zero: true, hash: () => xxh64Hex(data) };
  }
  const k = (content.seed + i) % PATTERNS;
  const full = PATTERN_CHUNKS[k];
  if (length === CHUNK) return { data: full, zero: false, hash: () => patternHashes[k] };
  const data = full.subarray(0, length);
  return { data, zero: false, hash: () => xxh64Hex(data) };
}

/** Contents of a VDI the fixture did not describe (e.g. created by a client): all zero but chunk 0. */
export const DEFAULT_CONTENT: DiskContent = { used: 0, seed: 0 };
