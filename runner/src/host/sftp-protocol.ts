// A client for SFTP version 3 (draft-ietf-secsh-filexfer-02, what OpenSSH's sftp-server
// speaks) over the stdin/stdout of `ssh -s host sftp`. File operations of the ssh host go
// through it: a request is a packet on the already open multiplexed connection — no new
// ssh process, no remote shell, and no quoting at all, because paths travel as
// length-prefixed bytes. Many requests can be in flight at once (matched by id).
//
// Why our own: the npm SFTP clients (ssh2, ssh2-sftp-client) bring their own SSH
// implementation; the project's transport is OpenSSH (host keys, agent, ProxyJump and
// ssh_config all as the admin set them up). The protocol subset we need is small.

import type { Readable, Writable } from 'node:stream';

const Packet = {
  INIT: 1, VERSION: 2, OPEN: 3, CLOSE: 4, READ: 5, WRITE: 6, LSTAT: 7,
  OPENDIR: 11, READDIR: 12, REMOVE: 13, MKDIR: 14, RMDIR: 15, STAT: 17, RENAME: 18,
  STATUS: 101, HANDLE: 102, DATA: 103, NAME: 104, ATTRS: 105, EXTENDED: 200, EXTENDED_REPLY: 201,
} as const;
type PacketType = (typeof Packet)[keyof typeof Packet];

export const OpenFlags = { READ: 1, WRITE: 2, APPEND: 4, CREAT: 8, TRUNC: 0x10, EXCL: 0x20 } as const;

export const Status = { OK: 0, EOF: 1, NO_SUCH_FILE: 2, PERMISSION_DENIED: 3, FAILURE: 4, OP_UNSUPPORTED: 8 } as const;

export class SftpStatusError extends Error {
  override readonly name = 'SftpStatusError';
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export interface SftpAttributes {
  size?: number;
  permissions?: number;
  mtime?: number;
}

export interface SftpEntry {
  filename: Buffer;
  attrs: SftpAttributes;
}

const S_IFMT = 0o170000;
export const isDirectoryMode = (mode: number | undefined) => mode !== undefined && (mode & S_IFMT) === 0o040000;
export const isSymlinkMode = (mode: number | undefined) => mode !== undefined && (mode & S_IFMT) === 0o120000;

/** Builds one packet: uint32 length, byte type, fields. */
class Writer {
  private readonly parts: Buffer[] = [];
  u8(value: number): this {
    this.parts.push(Buffer.from([value]));
    return this;
  }
  u32(value: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(value >>> 0);
    this.parts.push(b);
    return this;
  }
  u64(value: number): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(value));
    this.parts.push(b);
    return this;
  }
  string(value: string | Buffer): this {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    this.u32(bytes.length);
    this.parts.push(bytes);
    return this;
  }
  packet(): Buffer {
    const body = Buffer.concat(this.parts);
    const header = Buffer.alloc(4);
    header.writeUInt32BE(body.length);
    return Buffer.concat([header, body]);
  }
}

/** The peer sent something that is not SFTP: the session cannot go on. */
export class SftpProtocolError extends Error {
  override readonly name = 'SftpProtocolError';
}

/**
 * OpenSSH's sftp-server refuses packets over 256 KiB (SFTP_MAX_MSG_LENGTH); a reply is at most
 * a READ of our CHUNK size or a NAME list, so anything longer means the stream is not SFTP (a
 * login banner, a shell's output) and must not make us buffer gigabytes waiting for it.
 */
export const MAX_PACKET_LENGTH = 256 * 1024;

/**
 * Cuts a byte stream into SFTP packets (uint32 length + body). Chunks are kept in a list and
 * joined once per packet, so a packet arriving in many small pieces costs linear, not
 * quadratic, copying.
 */
export class PacketFramer {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly maxLength = MAX_PACKET_LENGTH) {}

  /** Every packet body completed by this chunk, in order. Throws SftpProtocolError on an oversized length. */
  push(chunk: Buffer): Buffer[] {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.size += chunk.length;
    }
    const packets: Buffer[] = [];
    while (this.size >= 4) {
      const length = this.peekLength();
      if (length > this.maxLength) {
        throw new SftpProtocolError(`the peer announced a packet of ${length} bytes (limit ${this.maxLength}): not an SFTP stream`);
      }
      if (this.size < 4 + length) break;
      packets.push(this.take(4 + length).subarray(4));
    }
    return packets;
  }

  private peekLength(): number {
    const first = this.chunks[0]!;
    if (first.length >= 4) return first.readUInt32BE(0);
    return this.join().readUInt32BE(0);
  }

  /** Joins every buffered chunk into one (only while fewer than 4 bytes head the list). */
  private join(): Buffer {
    const joined = Buffer.concat(this.chunks, this.size);
    this.chunks = [joined];
    return joined;
  }

  private take(count: number): Buffer {
    const first = this.chunks[0]!;
    let taken: Buffer;
    if (first.length >= count) {
      taken = first.subarray(0, count);
      if (first.length === count) this.chunks.shift();
      else this.chunks[0] = first.subarray(count);
    } else {
      // Gather whole chunks by index and drop them with one splice (shift() per chunk would
      // be quadratic for a packet that arrived a byte at a time).
      const parts: Buffer[] = [];
      let needed = count;
      let used = 0;
      while (needed > 0) {
        const head = this.chunks[used]!;
        if (head.length <= needed) {
          parts.push(head);
          used++;
          needed -= head.length;
        } else {
          parts.push(head.subarray(0, needed));
          this.chunks[used] = head.subarray(needed);
          needed = 0;
        }
      }
      this.chunks.splice(0, used);
      taken = Buffer.concat(parts, count);
    }
    this.size -= count;
    return taken;
  }
}

class Reader {
  private offset = 0;
  constructor(private readonly data: Buffer) {}
  atEnd(): boolean {
    return this.offset >= this.data.length;
  }
  private need(bytes: number): void {
    if (this.offset + bytes > this.data.length) throw new SftpProtocolError('a packet ended in the middle of a field');
  }
  u8(): number {
    this.need(1);
    return this.data.readUInt8(this.offset++);
  }
  u32(): number {
    this.need(4);
    const value = this.data.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }
  u64(): number {
    this.need(8);
    const value = this.data.readBigUInt64BE(this.offset);
    this.offset += 8;
    return Number(value);
  }
  string(): Buffer {
    const length = this.u32();
    if (this.offset + length > this.data.length) {
      throw new SftpProtocolError(`a string of ${length} bytes runs past the end of its packet`);
    }
    const value = this.data.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }
  attrs(): SftpAttributes {
    const flags = this.u32();
    const attrs: SftpAttributes = {};
    if (flags & 0x1) attrs.size = this.u64();
    if (flags & 0x2) {
      this.u32(); // uid
      this.u32(); // gid
    }
    if (flags & 0x4) attrs.permissions = this.u32();
    if (flags & 0x8) {
      this.u32(); // atime
      attrs.mtime = this.u32();
    }
    if (flags & 0x80000000) {
      for (let count = this.u32(); count > 0; count--) {
        this.string();
        this.string();
      }
    }
    return attrs;
  }
}

interface Reply {
  type: number;
  reader: Reader;
}

const EMPTY_ATTRS = 0;

export class SftpSession {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();
  private readonly framer = new PacketFramer();
  private failure: Error | undefined;
  /** Packets not yet handed to the channel (it was full); see pump(). */
  private readonly outbox: Buffer[] = [];
  private waitingForDrain = false;
  readonly extensions = new Map<string, string>();

  constructor(
    private readonly input: Writable,
    output: Readable,
  ) {
    output.on('data', (chunk: Buffer) => this.receive(chunk));
    output.on('end', () => this.fail(new Error('the sftp channel closed')));
    output.on('error', (error: Error) => this.fail(error));
    input.on('error', (error: Error) => this.fail(error));
    input.on('close', () => this.fail(new Error('the sftp channel closed')));
  }

  get closed(): boolean {
    return this.failure !== undefined;
  }

  /** Fail every pending and future request (the channel is gone). */
  fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
    this.outbox.length = 0;
  }

  private receive(chunk: Buffer): void {
    if (this.failure) return;
    try {
      for (const body of this.framer.push(chunk)) this.dispatch(new Reader(body));
    } catch (error) {
      // A malformed stream ends the session instead of throwing out of a stream listener.
      this.fail(error instanceof Error ? error : new SftpProtocolError(String(error)));
    }
  }

  private dispatch(reader: Reader): void {
    const type = reader.u8();
    const id = type === Packet.VERSION ? 0 : reader.u32();
    const waiter = this.pending.get(id);
    if (!waiter) throw new SftpProtocolError(`a reply (type ${type}) to request ${id}, which is not pending`);
    this.pending.delete(id);
    waiter.resolve({ type, reader });
  }

  /**
   * Hands packets to the channel in order, stopping while its buffer is full (write() said
   * false) until 'drain': a large transfer never piles up in the stream's memory.
   */
  private pump(): void {
    while (this.outbox.length > 0 && !this.waitingForDrain && !this.failure) {
      const packet = this.outbox.shift()!;
      if (!this.input.write(packet)) {
        this.waitingForDrain = true;
        this.input.once('drain', () => {
          this.waitingForDrain = false;
          this.pump();
        });
      }
    }
  }

  private send(id: number, packet: Buffer): Promise<Reply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.outbox.push(packet);
      this.pump();
    });
  }

  private request(type: PacketType, fill: (writer: Writer) => void): Promise<Reply> {
    const id = this.nextId++;
    const writer = new Writer().u8(type).u32(id);
    fill(writer);
    return this.send(id, writer.packet());
  }

  async init(): Promise<void> {
    const reply = await this.send(0, new Writer().u8(Packet.INIT).u32(3).packet());
    if (reply.type !== Packet.VERSION) throw new SftpProtocolError(`the server answered INIT with packet type ${reply.type}`);
    const version = reply.reader.u32();
    if (version !== 3) throw new Error(`the server speaks SFTP version ${version}, not 3`);
    while (!reply.reader.atEnd()) this.extensions.set(reply.reader.string().toString(), reply.reader.string().toString());
  }

  private static status(reply: Reply): void {
    if (reply.type !== Packet.STATUS) throw new Error(`unexpected SFTP reply ${reply.type}`);
    const code = reply.reader.u32();
    if (code !== Status.OK) throw new SftpStatusError(code, reply.reader.string().toString() || `SFTP status ${code}`);
  }

  private static expect(reply: Reply, type: PacketType): Reader {
    if (reply.type === type) return reply.reader;
    SftpSession.status(reply);
    throw new Error(`unexpected SFTP reply ${reply.type}`);
  }

  async open(path: string, flags: number): Promise<Buffer> {
    const reply = await this.request(Packet.OPEN, (w) => w.string(path).u32(flags).u32(EMPTY_ATTRS));
    return SftpSession.expect(reply, Packet.HANDLE).string();
  }

  async close(handle: Buffer): Promise<void> {
    SftpSession.status(await this.request(Packet.CLOSE, (w) => w.string(handle)));
  }

  /** Bytes at offset, or undefined at end of file. */
  async read(handle: Buffer, offset: number, length: number): Promise<Buffer | undefined> {
    const reply = await this.request(Packet.READ, (w) => w.string(handle).u64(offset).u32(length));
    if (reply.type === Packet.STATUS) {
      const code = reply.reader.u32();
      if (code === Status.EOF) return undefined;
      throw new SftpStatusError(code, reply.reader.string().toString() || `SFTP status ${code}`);
    }
    return Buffer.from(SftpSession.expect(reply, Packet.DATA).string());
  }

  async write(handle: Buffer, offset: number, data: Buffer): Promise<void> {
    SftpSession.status(await this.request(Packet.WRITE, (w) => w.string(handle).u64(offset).string(data)));
  }

  async stat(path: string): Promise<SftpAttributes> {
    return SftpSession.expect(await this.request(Packet.STAT, (w) => w.string(path)), Packet.ATTRS).attrs();
  }

  async lstat(path: string): Promise<SftpAttributes> {
    return SftpSession.expect(await this.request(Packet.LSTAT, (w) => w.string(path)), Packet.ATTRS).attrs();
  }

  /** Every entry of a directory except `.` and `..` (attributes as lstat). */
  async readdir(path: string): Promise<SftpEntry[]> {
    const handle = SftpSession.expect(await this.request(Packet.OPENDIR, (w) => w.string(path)), Packet.HANDLE).string();
    const entries: SftpEntry[] = [];
    try {
      for (;;) {
        const reply = await this.request(Packet.READDIR, (w) => w.string(handle));
        if (reply.type === Packet.STATUS) {
          const code = reply.reader.u32();
          if (code === Status.EOF) break;
          throw new SftpStatusError(code, reply.reader.string().toString() || `SFTP status ${code}`);
        }
        const reader = SftpSession.expect(reply, Packet.NAME);
        for (let count = reader.u32(); count > 0; count--) {
          const filename = Buffer.from(reader.string());
          reader.string(); // longname (ls -l text)
          const attrs = reader.attrs();
          const name = filename.toString('latin1');
          if (name !== '.' && name !== '..') entries.push({ filename, attrs });
        }
      }
    } finally {
      await this.close(handle).catch(() => undefined);
    }
    return entries;
  }

  async remove(path: string): Promise<void> {
    SftpSession.status(await this.request(Packet.REMOVE, (w) => w.string(path)));
  }

  async mkdir(path: string): Promise<void> {
    SftpSession.status(await this.request(Packet.MKDIR, (w) => w.string(path).u32(EMPTY_ATTRS)));
  }

  async rmdir(path: string): Promise<void> {
    SftpSession.status(await this.request(Packet.RMDIR, (w) => w.string(path)));
  }

  /** rename(2): replaces an existing target (OpenSSH's posix-rename), else plain RENAME. */
  async rename(from: string, to: string): Promise<void> {
    if (this.extensions.has('posix-rename@openssh.com')) {
      SftpSession.status(await this.request(Packet.EXTENDED, (w) => w.string('posix-rename@openssh.com').string(from).string(to)));
    } else {
      SftpSession.status(await this.request(Packet.RENAME, (w) => w.string(from).string(to)));
    }
  }

  /** Free bytes for unprivileged users (statvfs f_bavail * f_frsize). */
  async freeBytes(path: string): Promise<number> {
    if (!this.extensions.has('statvfs@openssh.com')) throw new SftpStatusError(Status.OP_UNSUPPORTED, 'the server has no statvfs@openssh.com');
    const reply = await this.request(Packet.EXTENDED, (w) => w.string('statvfs@openssh.com').string(path));
    const reader = SftpSession.expect(reply, Packet.EXTENDED_REPLY);
    reader.u64(); // f_bsize
    const fragmentSize = reader.u64();
    reader.u64(); // f_blocks
    reader.u64(); // f_bfree
    const available = reader.u64();
    return available * fragmentSize;
  }
}
