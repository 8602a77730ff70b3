// Writing into a virtual disk (PUT /import_raw_vdi, PUT /import): the disk becomes a map of the
// 1 MiB chunks that hold data; all-zero chunks are never stored, so an imported sparse disk costs
// only its data. The chunks of the disk before the write are copied before they change (a
// snapshot may share them, see ops.ts snapshotVdi).
import { failure } from '../errors';
import type { DiskContent } from '../state';
import { CHUNK, chunkCount, diskChunk, ZERO_CHUNK } from './disk';

function isZero(data: Buffer): boolean {
  return data.equals(ZERO_CHUNK.subarray(0, data.length));
}

export class DiskWriter {
  private readonly chunks = new Map<number, Buffer>();
  private readonly owned = new Set<number>();

  /** `base`: the disk's contents before the write (a fresh VDI is all zero). */
  constructor(
    readonly size: number,
    base: DiskContent,
  ) {
    if (base.chunks) {
      for (const [i, data] of base.chunks) this.chunks.set(i, data);
      return;
    }
    for (let i = 0; i < chunkCount(size); i++) {
      const chunk = diskChunk(base, size, i);
      if (!chunk.zero) this.chunks.set(i, chunk.data);
    }
  }

  /**
   * Writes `data` at byte `offset`. Past the end of the disk the block device refuses the write:
   * vhd-tool exits non-zero and xapi reports VDI_IO_ERROR (vhd_tool_wrapper.ml run_vhd_tool).
   */
  write(offset: number, data: Buffer): void {
    if (offset < 0 || offset + data.length > this.size) throw failure('VDI_IO_ERROR', 'Device I/O errors');
    let done = 0;
    while (done < data.length) {
      const at = offset + done;
      const index = Math.floor(at / CHUNK);
      const within = at - index * CHUNK;
      const n = Math.min(CHUNK - within, data.length - done);
      const piece = data.subarray(done, done + n);
      done += n;
      let chunk = this.chunks.get(index);
      if (chunk === undefined && isZero(piece)) continue;
      if (chunk === undefined || !this.owned.has(index)) {
        const fresh = Buffer.alloc(Math.min(CHUNK, this.size - index * CHUNK));
        chunk?.copy(fresh);
        chunk = fresh;
        this.chunks.set(index, fresh);
        this.owned.add(index);
      }
      piece.copy(chunk, within);
    }
  }

  /** The disk's contents now (chunks that became all zero are dropped). */
  content(): DiskContent {
    for (const index of this.owned) if (isZero(this.chunks.get(index)!)) this.chunks.delete(index);
    return { used: 0, seed: 0, chunks: this.chunks };
  }
}

/** What a VDI made by VDI.create holds: zeros (the SR hands out a fresh, empty volume). */
export function emptyDisk(): DiskContent {
  return { used: 0, seed: 0, chunks: new Map() };
}
