// A streaming tar reader that proves an archive whole: every header is a valid header
// (checksum, octal fields), every entry's data and padding is present, and the archive
// ends with its two zero blocks (anything after them may only be zero padding, as tar
// writers round up to a record). Bytes go in with push(); nothing is kept but the
// header being read, so memory stays flat however large the archive is. No I/O here.
import { ArchiveDamage } from './damage';

export const TAR_BLOCK = 512;

export interface TarEntry {
  /** Path inside the archive (ustar prefix joined). */
  name: string;
  size: number;
  /** Type flag: '0' for a regular file (an old NUL flag reads as '0'). */
  type: string;
  /** 0 for the first entry. */
  index: number;
  /** Byte offset of the entry's header in the (uncompressed) stream. */
  offset: number;
}

export interface TarListener {
  entry(entry: TarEntry): void;
  /** Consecutive pieces of the current entry's data (views into the pushed chunk). */
  data(bytes: Uint8Array): void;
  entryEnd(entry: TarEntry): void;
}

type State = 'header' | 'data' | 'padding' | 'second-zero' | 'trailer';

const SPACE = 0x20;

function isZero(bytes: Uint8Array, from = 0, to = bytes.length): boolean {
  for (let i = from; i < to; i++) if (bytes[i] !== 0) return false;
  return true;
}

function text(block: Uint8Array, from: number, length: number): string {
  let end = from;
  while (end < from + length && block[end] !== 0) end++;
  return Buffer.from(block.buffer, block.byteOffset + from, end - from).toString('utf8');
}

/** A numeric header field: octal digits between optional spaces/NULs, or GNU base-256. */
function numberField(block: Uint8Array, from: number, length: number): number | undefined {
  if (block[from]! & 0x80) {
    let value = 0;
    for (let i = from + 1; i < from + length; i++) value = value * 256 + block[i]!;
    return Number.isSafeInteger(value) ? value : undefined;
  }
  let i = from;
  const end = from + length;
  while (i < end && block[i] === SPACE) i++;
  let value = 0;
  let digits = 0;
  for (; i < end && block[i]! >= 0x30 && block[i]! <= 0x37; i++, digits++) value = value * 8 + (block[i]! - 0x30);
  for (; i < end; i++) if (block[i] !== 0 && block[i] !== SPACE) return undefined;
  return digits > 0 ? value : undefined;
}

function checksumMatches(block: Uint8Array): boolean {
  const stored = numberField(block, 148, 8);
  if (stored === undefined) return false;
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < TAR_BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? SPACE : block[i]!;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  // Some old writers summed signed chars; both are accepted by tar implementations.
  return stored === unsigned || stored === signed;
}

export class TarStreamReader {
  private state: State = 'header';
  private readonly block = new Uint8Array(TAR_BLOCK);
  private filled = 0;
  private remaining = 0;
  private position = 0;
  private entries = 0;
  private current: TarEntry | undefined;
  private last: TarEntry | undefined;

  constructor(private readonly listener: TarListener) {}

  /** Bytes read so far. */
  get bytes(): number {
    return this.position;
  }

  push(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      const available = chunk.length - at;
      if (this.state === 'data') {
        const take = Math.min(available, this.remaining);
        this.listener.data(chunk.subarray(at, at + take));
        at += take;
        this.position += take;
        this.remaining -= take;
        if (this.remaining === 0) this.endEntry();
      } else if (this.state === 'padding') {
        const take = Math.min(available, this.remaining);
        at += take;
        this.position += take;
        this.remaining -= take;
        if (this.remaining === 0) this.state = 'header';
      } else if (this.state === 'trailer') {
        for (let i = at; i < chunk.length; i++) {
          if (chunk[i] !== 0)
            throw new ArchiveDamage(`data after the end-of-archive blocks at byte ${this.position + i - at}`);
        }
        this.position += available;
        at = chunk.length;
      } else {
        // header or second zero block: whole blocks straight from the chunk, else gathered
        if (this.filled === 0 && available >= TAR_BLOCK) {
          this.position += TAR_BLOCK;
          this.readBlock(chunk.subarray(at, at + TAR_BLOCK), this.position - TAR_BLOCK);
          at += TAR_BLOCK;
          continue;
        }
        const take = Math.min(available, TAR_BLOCK - this.filled);
        this.block.set(chunk.subarray(at, at + take), this.filled);
        this.filled += take;
        this.position += take;
        at += take;
        if (this.filled === TAR_BLOCK) {
          this.filled = 0;
          this.readBlock(this.block, this.position - TAR_BLOCK);
        }
      }
    }
  }

  private readBlock(block: Uint8Array, offset: number): void {
    if (this.state === 'second-zero') {
      if (!isZero(block))
        throw new ArchiveDamage(`a single zero block at byte ${offset - TAR_BLOCK} inside the archive`);
      this.state = 'trailer';
      return;
    }
    if (isZero(block)) {
      this.state = 'second-zero';
      return;
    }
    const where = `entry #${this.entries + 1} at byte ${offset}`;
    if (!checksumMatches(block)) throw new ArchiveDamage(`the header of ${where} is damaged (wrong header checksum)`);
    const size = numberField(block, 124, 12);
    if (size === undefined) throw new ArchiveDamage(`the header of ${where} has an unreadable size`);
    let name = text(block, 0, 100);
    if (text(block, 257, 5) === 'ustar') {
      const prefix = text(block, 345, 155);
      if (prefix !== '') name = `${prefix}/${name}`;
    }
    const flag = block[156] === 0 ? '0' : String.fromCharCode(block[156]!);
    const entry: TarEntry = { name, size, type: flag, index: this.entries++, offset };
    this.current = entry;
    this.listener.entry(entry);
    this.remaining = size;
    this.state = 'data';
    if (size === 0) this.endEntry();
  }

  private endEntry(): void {
    const entry = this.current!;
    this.listener.entryEnd(entry);
    this.last = entry;
    this.current = undefined;
    this.remaining = (TAR_BLOCK - (entry.size % TAR_BLOCK)) % TAR_BLOCK;
    this.state = this.remaining > 0 ? 'padding' : 'header';
  }

  /** The input is complete: throws unless the archive ended with its end-of-archive blocks. */
  finish(): { entries: number; bytes: number } {
    const after = this.last ? `after entry ${this.last.name}` : 'before the first entry';
    switch (this.state) {
      case 'trailer':
        return { entries: this.entries, bytes: this.position };
      case 'data':
        throw new ArchiveDamage(
          `the archive ends inside entry ${this.current!.name}: ${this.current!.size - this.remaining} of its ` +
            `${this.current!.size} bytes`,
        );
      case 'padding':
        throw new ArchiveDamage(`the archive ends inside the padding ${after}`);
      case 'second-zero':
        throw new ArchiveDamage(`the archive ends with only one of its two end-of-archive blocks (${after})`);
      case 'header':
        if (this.position === 0 && this.filled === 0) throw new ArchiveDamage('the file is empty');
        if (this.filled > 0 && !isZero(this.block, 0, this.filled)) {
          throw new ArchiveDamage(
            `the archive ends inside the header of entry #${this.entries + 1} (${this.filled} of 512 bytes, ${after})`,
          );
        }
        throw new ArchiveDamage(`the archive ends ${after} without its end-of-archive blocks`);
    }
  }
}
