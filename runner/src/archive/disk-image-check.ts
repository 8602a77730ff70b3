// Streaming checks of a `xe vdi-export` image against the disk's virtual_size:
//  - raw: exactly virtual_size bytes;
//  - vhd (Microsoft VHD specification 1.0): the footer at the end (cookie `conectix`,
//    checksum, current size = virtual_size); for a dynamic disk also the footer copy at
//    the start, the dynamic header (cookie `cxsparse`, checksum, block size, BAT large
//    enough for the disk) and the BAT: every allocated block lies after the BAT, inside
//    the file, before the footer, and no two blocks overlap. A fixed disk is its data and
//    the footer: virtual_size + 512 bytes.
// The BAT is the only thing kept (4 bytes per block: 4 MiB for a 2 TiB disk).
import { ArchiveDamage } from './damage';

export interface DiskImageSummary {
  format: 'raw' | 'vhd';
  bytes: number;
  /** vhd: 'fixed' or 'dynamic'; allocated blocks of a dynamic disk. */
  vhdType?: 'fixed' | 'dynamic';
  blocks?: number;
}

export interface DiskImageChecker {
  push(bytes: Uint8Array): void;
  finish(): DiskImageSummary;
}

export class RawImageChecker implements DiskImageChecker {
  private bytes = 0;
  constructor(private readonly virtualSize: number) {}

  push(bytes: Uint8Array): void {
    this.bytes += bytes.length;
    if (this.bytes > this.virtualSize) {
      throw new ArchiveDamage(`the raw image is longer than the disk's virtual size ${this.virtualSize}`);
    }
  }

  finish(): DiskImageSummary {
    if (this.bytes !== this.virtualSize) {
      throw new ArchiveDamage(
        `the raw image is ${this.bytes} bytes, expected the disk's virtual size ${this.virtualSize}`,
      );
    }
    return { format: 'raw', bytes: this.bytes };
  }
}

const SECTOR = 512;
const FOOTER = 512;
const DYNAMIC_HEADER = 1024;
const UNUSED = 0xffffffff;
const DISK_FIXED = 2;
const DISK_DYNAMIC = 3;
/** More BAT entries than a 2 TiB disk of 512 KiB blocks has: a damaged header. */
const MAX_BAT_ENTRIES = 1 << 22;

function vhdChecksum(block: Uint8Array, field: number): number {
  let sum = 0;
  for (let i = 0; i < block.length; i++) if (i < field || i >= field + 4) sum += block[i]!;
  return ~sum >>> 0;
}

interface Footer {
  diskType: number;
  currentSize: number;
  dataOffset: bigint;
  uniqueId: string;
}

function readFooter(block: Buffer, where: string): Footer {
  if (block.subarray(0, 8).toString('latin1') !== 'conectix')
    throw new ArchiveDamage(`the vhd ${where} has no "conectix" cookie`);
  if (block.readUInt32BE(64) !== vhdChecksum(block, 64))
    throw new ArchiveDamage(`the vhd ${where} is damaged (wrong checksum)`);
  return {
    diskType: block.readUInt32BE(60),
    currentSize: Number(block.readBigUInt64BE(48)),
    dataOffset: block.readBigUInt64BE(16),
    uniqueId: block.subarray(68, 84).toString('hex'),
  };
}

/** A byte range of the stream to capture, filled as the bytes pass. */
class Capture {
  readonly data: Buffer;
  private filled = 0;
  constructor(
    readonly start: number,
    length: number,
  ) {
    this.data = Buffer.alloc(length);
  }
  get complete(): boolean {
    return this.filled === this.data.length;
  }
  /** `bytes` begin at stream offset `at`. */
  take(bytes: Uint8Array, at: number): void {
    const from = Math.max(this.start + this.filled, at);
    const to = Math.min(this.start + this.data.length, at + bytes.length);
    if (to <= from) return;
    this.data.set(bytes.subarray(from - at, to - at), from - this.start);
    this.filled = to - this.start;
  }
}

export class VhdImageChecker implements DiskImageChecker {
  private position = 0;
  private readonly tail = Buffer.alloc(FOOTER);
  private readonly head = new Capture(0, FOOTER);
  private header: Capture | undefined;
  private bat: Capture | undefined;
  private headFooter: Footer | null | undefined;
  private blockBytes = 0;
  private bitmapBytes = 0;

  constructor(private readonly virtualSize: number) {}

  push(bytes: Uint8Array): void {
    const at = this.position;
    this.position += bytes.length;
    if (!this.head.complete) {
      this.head.take(bytes, at);
      if (this.head.complete) this.readHead();
    }
    if (this.header && !this.header.complete) {
      this.header.take(bytes, at);
      if (this.header.complete) this.readDynamicHeader(this.header.data);
    }
    if (this.bat && !this.bat.complete) this.bat.take(bytes, at);
    // Keep the last 512 bytes: the footer, once the stream ends.
    if (bytes.length >= FOOTER) this.tail.set(bytes.subarray(bytes.length - FOOTER));
    else {
      this.tail.copyWithin(0, bytes.length);
      this.tail.set(bytes, FOOTER - bytes.length);
    }
  }

  /** The first sector: the footer copy of a dynamic disk, or data of a fixed one. */
  private readHead(): void {
    const cookie = this.head.data.subarray(0, 8).toString('latin1');
    if (cookie !== 'conectix') {
      this.headFooter = null; // a fixed disk begins with its data
      return;
    }
    const footer = readFooter(this.head.data, 'footer copy at the start of the file');
    if (footer.diskType !== DISK_DYNAMIC)
      throw new ArchiveDamage(`the vhd disk type is ${footer.diskType}, not dynamic (3) or fixed (2)`);
    const offset = Number(footer.dataOffset);
    if (offset < FOOTER || offset % SECTOR !== 0)
      throw new ArchiveDamage(`the vhd footer points to its dynamic header at byte ${footer.dataOffset}`);
    this.headFooter = footer;
    this.header = new Capture(offset, DYNAMIC_HEADER);
  }

  private readDynamicHeader(header: Buffer): void {
    if (header.subarray(0, 8).toString('latin1') !== 'cxsparse')
      throw new ArchiveDamage('the vhd dynamic header has no "cxsparse" cookie');
    if (header.readUInt32BE(36) !== vhdChecksum(header, 36))
      throw new ArchiveDamage('the vhd dynamic header is damaged (wrong checksum)');
    const tableOffset = Number(header.readBigUInt64BE(16));
    const entries = header.readUInt32BE(28);
    const blockSize = header.readUInt32BE(32);
    if (blockSize < SECTOR || (blockSize & (blockSize - 1)) !== 0)
      throw new ArchiveDamage(`the vhd block size ${blockSize} is not a power of two`);
    const needed = Math.ceil(this.headFooter!.currentSize / blockSize);
    if (entries < needed || entries > MAX_BAT_ENTRIES) {
      throw new ArchiveDamage(`the vhd block table has ${entries} entries, the disk needs ${needed}`);
    }
    if (tableOffset < this.header!.start + DYNAMIC_HEADER || tableOffset % SECTOR !== 0) {
      throw new ArchiveDamage(`the vhd block table offset ${tableOffset} does not follow the dynamic header`);
    }
    this.blockBytes = blockSize;
    this.bitmapBytes = Math.ceil(blockSize / SECTOR / 8 / SECTOR) * SECTOR;
    this.bat = new Capture(tableOffset, entries * 4);
  }

  finish(): DiskImageSummary {
    const length = this.position;
    if (length < FOOTER) throw new ArchiveDamage(`the vhd image is ${length} bytes, shorter than its footer`);
    if (length % SECTOR !== 0) throw new ArchiveDamage(`the vhd image is ${length} bytes, not whole 512-byte sectors`);
    const footer = readFooter(this.tail, 'footer');
    if (footer.currentSize !== this.virtualSize) {
      throw new ArchiveDamage(
        `the vhd footer announces ${footer.currentSize} bytes, expected the disk's virtual size ${this.virtualSize}`,
      );
    }
    if (footer.diskType === DISK_FIXED && this.headFooter === null) {
      if (length !== footer.currentSize + FOOTER) {
        throw new ArchiveDamage(`the fixed vhd image is ${length} bytes, expected ${footer.currentSize + FOOTER}`);
      }
      return { format: 'vhd', bytes: length, vhdType: 'fixed' };
    }
    const head = this.headFooter;
    if (footer.diskType !== DISK_DYNAMIC || !head) {
      throw new ArchiveDamage(`the vhd footer (disk type ${footer.diskType}) does not match the start of the file`);
    }
    if (head.currentSize !== footer.currentSize || head.uniqueId !== footer.uniqueId) {
      throw new ArchiveDamage('the vhd footer and its copy at the start of the file describe different disks');
    }
    if (!this.bat?.complete) throw new ArchiveDamage(`the vhd image ends (${length} bytes) before its block table`);
    return { format: 'vhd', bytes: length, vhdType: 'dynamic', blocks: this.checkBlocks(length - FOOTER) };
  }

  /** Every allocated block inside [end of BAT, footer), none overlapping; returns how many. */
  private checkBlocks(footerAt: number): number {
    const bat = this.bat!;
    const firstFree = bat.start + bat.data.length;
    const span = this.bitmapBytes + this.blockBytes;
    const starts: number[] = [];
    for (let i = 0; i < bat.data.length; i += 4) {
      const sector = bat.data.readUInt32BE(i);
      if (sector === UNUSED) continue;
      const start = sector * SECTOR;
      if (start < firstFree || start + span > footerAt) {
        throw new ArchiveDamage(
          `vhd block ${i / 4} lies at bytes ${start}..${start + span}, outside the data area ${firstFree}..${footerAt}`,
        );
      }
      starts.push(start);
    }
    starts.sort((a, b) => a - b);
    for (let i = 1; i < starts.length; i++) {
      if (starts[i]! - starts[i - 1]! < span) throw new ArchiveDamage(`two vhd blocks overlap at byte ${starts[i]}`);
    }
    return starts.length;
  }
}
