// The two checksums an XVA carries per disk chunk, formatted as xapi writes them
// (stream_vdi.ml): `.xxhash` = XXH64 (seed 0) as 16 uppercase hex digits ("%016LX"),
// `.checksum` = SHA-1 as lowercase hex (Sha1.to_hex, older exports).
import { createHash } from 'node:crypto';
import xxhashInit from 'xxhash-wasm';

export interface ChunkHashers {
  xxh64Hex(data: Uint8Array): string;
  sha1Hex(data: Uint8Array): string;
}

let loading: Promise<ChunkHashers> | undefined;

/** Loads the XXH64 implementation once per process. */
export function loadHashers(): Promise<ChunkHashers> {
  loading ??= xxhashInit().then((api) => ({
    xxh64Hex: (data) => api.h64Raw(data).toString(16).padStart(16, '0').toUpperCase(),
    sha1Hex: (data) => createHash('sha1').update(data).digest('hex'),
  }));
  return loading;
}
