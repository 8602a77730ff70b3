// Dynamic VHD (Microsoft VHD spec v1.0) as `/export_raw_vdi?format=vhd` streams it: footer copy,
// dynamic header, BAT, then for each 2 MiB block holding data a sector bitmap and the block,
// then the footer. Blocks that are all zero are left out (BAT entry 0xFFFFFFFF).
import { createHash } from 'node:crypto';
import { CHUNK, diskChunk } from './disk';
import type { DiskContent } from '../state';

export const VHD_BLOCK = 2 * 1024 * 1024;
export const VHD_MAX_SIZE = 2040 * 1024 * 1024 * 1024; // XAPI refuses > ~2 TiB (VDI_TOO_LARGE)
const SECTOR = 512;
const VHD_EPOCH = Date.UTC(2000, 0, 1) / 1000;

function checksum(buf: Buffer): number {
  let sum = 0;
  for (const b of buf) sum += b;
  return ~sum >>> 0;
}

/** CHS geometry from the VHD specification's algorithm. */
export function geometry(size: number): { cylinders: number; heads: number; sectors: number } {
  let totalSectors = Math.floor(size / SECTOR);
  if (totalSectors > 65535 * 16 * 255) totalSectors = 65535 * 16 * 255;
  let sectorsPerTrack: number;
  let heads: number;
  let cylinderTimesHeads: number;
  if (totalSectors >= 65535 * 16 * 63) {
    sectorsPerTrack = 255;
    heads = 16;
    cylinderTimesHeads = Math.floor(totalSectors / sectorsPerTrack);
  } else {
    sectorsPerTrack = 17;
    cylinderTimesHeads = Math.floor(totalSectors / sectorsPerTrack);
    heads = Math.max(4, Math.floor((cylinderTimesHeads + 1023) / 1024));
    if (cylinderTimesHeads >= heads * 1024 || heads > 16) {
      sectorsPerTrack = 31;
      heads = 16;
      cylinderTimesHeads = Math.floor(totalSectors / sectorsPerTrack);
    }
    if (cylinderTimesHeads >= heads * 1024) {
      sectorsPerTrack = 63;
      heads = 16;
      cylinderTimesHeads = Math.floor(totalSectors / sectorsPerTrack);
    }
  }
  return { cylinders: Math.floor(cylinderTimesHeads / heads), heads, sectors: sectorsPerTrack };
}

export function vhdFooter(size: number, uniqueId: string, now = Date.now()): Buffer {
  const f = Buffer.alloc(SECTOR);
  f.write('conectix', 0, 'ascii');
  f.writeUInt32BE(2, 8); // features: reserved bit always set
  f.writeUInt32BE(0x00010000, 12); // format version
  f.writeBigUInt64BE(512n, 16); // data offset: the dynamic header
  f.writeUInt32BE(Math.max(0, Math.floor(now / 1000 - VHD_EPOCH)) >>> 0, 24);
  f.write('tap\0', 28, 'ascii');
  f.writeUInt32BE(0x00010003, 32);
  f.write('Lnux', 36, 'ascii');
  f.writeBigUInt64BE(BigInt(size), 40); // original size
  f.writeBigUInt64BE(BigInt(size), 48); // current size
  const g = geometry(size);
  f.writeUInt16BE(g.cylinders, 56);
  f.writeUInt8(g.heads, 58);
  f.writeUInt8(g.sectors, 59);
  f.writeUInt32BE(3, 60); // disk type: dynamic
  createHash('md5').update(uniqueId).digest().copy(f, 68);
  f.writeUInt32BE(checksum(f), 64);
  return f;
}

function dynamicHeader(blocks: number): Buffer {
  const h = Buffer.alloc(1024);
  h.write('cxsparse', 0, 'ascii');
  h.writeBigUInt64BE(0xffffffffffffffffn, 8);
  h.writeBigUInt64BE(1536n, 16); // BAT right after the header
  h.writeUInt32BE(0x00010000, 24);
  h.writeUInt32BE(blocks, 28);
  h.writeUInt32BE(VHD_BLOCK, 32);
  h.writeUInt32BE(checksum(h), 36);
  return h;
}

const BITMAP = Buffer.alloc(SECTOR, 0xff);

/** The VHD stream of a disk, as a sequence of buffers. */
export function* vhdStream(content: DiskContent, size: number, uniqueId: string): Generator<Buffer> {
  const blocks = Math.ceil(size / VHD_BLOCK);
  const chunksPerBlock = VHD_BLOCK / CHUNK;
  const used: boolean[] = [];
  for (let b = 0; b < blocks; b++) {
    let any = false;
    for (let c = 0; c < chunksPerBlock && (b * chunksPerBlock + c) * CHUNK < size; c++) {
      if (!diskChunk(content, size, b * chunksPerBlock + c).zero) any = true;
    }
    used.push(any);
  }
  const batBytes = Math.ceil((blocks * 4) / SECTOR) * SECTOR;
  const bat = Buffer.alloc(batBytes, 0xff);
  let sector = (1536 + batBytes) / SECTOR;
  for (let b = 0; b < blocks; b++) {
    if (!used[b]) continue;
    bat.writeUInt32BE(sector, b * 4);
    sector += (SECTOR + VHD_BLOCK) / SECTOR;
  }
  const footer = vhdFooter(size, uniqueId);
  yield footer;
  yield dynamicHeader(blocks);
  yield bat;
  for (let b = 0; b < blocks; b++) {
    if (!used[b]) continue;
    yield BITMAP;
    for (let c = 0; c < chunksPerBlock; c++) {
      const i = b * chunksPerBlock + c;
      const data = i * CHUNK < size ? diskChunk(content, size, i).data : Buffer.alloc(0);
      yield data;
      if (data.length < CHUNK) yield Buffer.alloc(CHUNK - data.length); // a block is always whole
    }
  }
  yield footer;
}
