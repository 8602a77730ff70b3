// Reads a request body piece by piece (exact lengths, skipping forward), holding only what the
// caller asked for: a disk image streams through without being kept whole.
import type { Readable } from 'node:stream';

export class EndOfStream extends Error {}

export class ByteReader {
  private readonly source: AsyncIterator<Buffer>;
  private pending: Buffer = Buffer.alloc(0);
  /** Bytes consumed so far (the offset of the next byte read). */
  position = 0;

  /** `limit`: stop after this many bytes (the request's content-length). */
  constructor(
    stream: Readable,
    private readonly limit = Number.POSITIVE_INFINITY,
  ) {
    this.source = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  private async fill(): Promise<boolean> {
    if (this.position + this.pending.length >= this.limit) return false;
    const next = await this.source.next();
    if (next.done) return false;
    const room = this.limit - this.position - this.pending.length;
    const data = next.value.length > room ? next.value.subarray(0, room) : next.value;
    this.pending = this.pending.length === 0 ? data : Buffer.concat([this.pending, data]);
    return true;
  }

  /** The next piece of at most `max` bytes, or undefined at the end. */
  async next(max: number): Promise<Buffer | undefined> {
    if (this.pending.length === 0 && !(await this.fill())) return undefined;
    const piece = this.pending.subarray(0, max);
    this.pending = this.pending.subarray(piece.length);
    this.position += piece.length;
    return piece;
  }

  /** Exactly `n` bytes; EndOfStream when the body ends first. */
  async read(n: number): Promise<Buffer> {
    while (this.pending.length < n) if (!(await this.fill())) throw new EndOfStream();
    const out = Buffer.from(this.pending.subarray(0, n));
    this.pending = this.pending.subarray(n);
    this.position += n;
    return out;
  }

  /** Skips to absolute offset `to`; a stream cannot go back (vhd_format f.ml skip_to fails then). */
  async skipTo(to: number): Promise<void> {
    if (to < this.position) throw new Error(`cannot seek back from ${this.position} to ${to}`);
    while (this.position < to) {
      const piece = await this.next(to - this.position);
      if (!piece) throw new EndOfStream();
    }
  }

  /** Reads and drops the rest of the body. */
  async drain(): Promise<void> {
    while (await this.next(1 << 20));
  }
}
