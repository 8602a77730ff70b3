// The owned SFTP client's packet layer without a server: framing of split and joined packets,
// the packet-size limit, linear copying, back-pressure on writes, and a seeded fuzz of the
// parser (malformed replies end the session with an error, never an exception out of a
// stream listener). The end-to-end behaviour against OpenSSH is in contract.test.ts.
import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { test } from 'node:test';
import { MAX_PACKET_LENGTH, PacketFramer, SftpProtocolError, SftpSession } from '../../runner/src/host/sftp-protocol';

/** Deterministic PRNG (mulberry32) so a failing seed can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function frame(body: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length);
  return Buffer.concat([header, body]);
}

function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value);
  return b;
}

function sftpString(text: string): Buffer {
  return Buffer.concat([u32(Buffer.byteLength(text)), Buffer.from(text)]);
}

/** SSH_FXP_STATUS for request id. */
function statusReply(id: number, code = 0, message = ''): Buffer {
  return frame(Buffer.concat([Buffer.from([101]), u32(id), u32(code), sftpString(message), sftpString('')]));
}

function versionReply(extensions: Array<[string, string]> = []): Buffer {
  return frame(
    Buffer.concat([Buffer.from([2]), u32(3), ...extensions.flatMap(([k, v]) => [sftpString(k), sftpString(v)])]),
  );
}

/** Request ids of the packets a client wrote (type byte, then uint32 id). */
function requestIds(bytes: Buffer): number[] {
  const ids: number[] = [];
  for (const body of new PacketFramer(Number.MAX_SAFE_INTEGER).push(bytes))
    if (body[0] !== 1) ids.push(body.readUInt32BE(1));
  return ids;
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

test('framing: packets split at every possible place or joined come out whole and in order', () => {
  const next = random(7);
  const bodies = Array.from({ length: 40 }, (_, i) => Buffer.alloc(1 + Math.floor(next() * 3000), i));
  const stream = Buffer.concat(bodies.map(frame));
  for (let round = 0; round < 50; round++) {
    const framer = new PacketFramer();
    const out: Buffer[] = [];
    for (let offset = 0; offset < stream.length; ) {
      const size = round === 0 ? 1 : 1 + Math.floor(next() * 5000);
      out.push(...framer.push(stream.subarray(offset, offset + size)));
      offset += size;
    }
    assert.deepEqual(
      out.map((b) => b.toString('hex')),
      bodies.map((b) => b.toString('hex')),
      `round ${round}`,
    );
  }
});

test('framing: a length over the limit (e.g. a shell banner instead of SFTP) is a protocol error at once', () => {
  const framer = new PacketFramer();
  assert.throws(() => framer.push(Buffer.from('Welcome to host\n')), SftpProtocolError);
  assert.throws(() => new PacketFramer().push(u32(MAX_PACKET_LENGTH + 1)), /limit/);
  assert.deepEqual(new PacketFramer().push(u32(MAX_PACKET_LENGTH)), []); // allowed, waits for the body
});

test('framing: a large packet arriving byte by byte is copied a bounded number of times (no quadratic concat)', (t) => {
  const body = Buffer.alloc(200 * 1024, 0xab);
  const stream = frame(body);
  let copied = 0;
  const concat = Buffer.concat;
  t.mock.method(Buffer, 'concat', (list: readonly Uint8Array[], total?: number) => {
    const result = concat(list, total);
    copied += result.length;
    return result;
  });
  const framer = new PacketFramer();
  const out: Buffer[] = [];
  for (let i = 0; i < stream.length; i++) out.push(...framer.push(stream.subarray(i, i + 1)));
  t.mock.restoreAll();
  assert.equal(out.length, 1);
  assert.ok(out[0]!.equals(body));
  assert.ok(copied <= 2 * stream.length, `copied ${copied} bytes for a ${stream.length}-byte packet`);
});

test('back-pressure: writes wait for the channel to drain instead of piling up in memory', async () => {
  const held: Array<() => void> = [];
  const written: Buffer[] = [];
  const HIGH_WATER = 64 * 1024;
  let peakBuffered = 0;
  const input = new Writable({
    highWaterMark: HIGH_WATER,
    write(chunk: Buffer, _encoding, done) {
      written.push(chunk);
      held.push(done);
    },
  });
  const output = new PassThrough();
  const session = new SftpSession(input, output);
  const init = session.init();
  await until(() => held.length > 0);
  held.shift()!();
  output.write(versionReply());
  await init;

  const handle = Buffer.from('h1');
  const payload = Buffer.alloc(32 * 1024, 1);
  const writes = Array.from({ length: 64 }, (_, i) => session.write(handle, i * payload.length, payload));
  // Let the session push what it will: it must stop at the high-water mark.
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  peakBuffered = Math.max(peakBuffered, input.writableLength);
  assert.ok(
    peakBuffered <= HIGH_WATER + payload.length + 64,
    `buffered ${peakBuffered} bytes while the channel was full`,
  );
  assert.ok(written.length + input.writableLength / payload.length < 64, 'not every write was handed over at once');

  // Drain step by step and answer every request: all 64 writes complete.
  let answered = 0;
  while (answered < 64) {
    const done = held.shift();
    if (done) done();
    const ids = requestIds(Buffer.concat(written.splice(0)));
    for (const id of ids) output.write(statusReply(id));
    answered += ids.length;
    peakBuffered = Math.max(peakBuffered, input.writableLength);
    await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(writes);
  assert.ok(peakBuffered <= HIGH_WATER + payload.length + 64);
});

test('fuzz: malformed or truncated replies fail the session with an Error, never throw out of the stream', async () => {
  const valid = [statusReply(1, 0, 'ok'), statusReply(1, 2, 'No such file')];
  for (let seed = 1; seed <= 300; seed++) {
    const next = random(seed);
    const input = new PassThrough();
    input.resume();
    const output = new PassThrough();
    const session = new SftpSession(input, output);
    const init = session.init();
    output.write(versionReply([['posix-rename@openssh.com', '1']]));
    await init;
    const request = session.stat('/x').then(
      () => 'resolved',
      (error: unknown) => (error instanceof Error ? 'rejected' : 'non-error'),
    );
    // Start from a valid reply and damage it: truncate, flip bytes, or replace with noise.
    let bytes = Buffer.from(valid[seed % valid.length]!);
    const mode = seed % 4;
    if (mode === 0) bytes = bytes.subarray(0, 4 + Math.floor(next() * (bytes.length - 4)));
    if (mode === 1)
      for (let i = 0; i < 3; i++) bytes[4 + Math.floor(next() * (bytes.length - 4))] = Math.floor(next() * 256);
    if (mode === 2)
      bytes = Buffer.from(Array.from({ length: 1 + Math.floor(next() * 64) }, () => Math.floor(next() * 256)));
    if (mode === 3) bytes.writeUInt32BE(Math.max(1, Math.floor(next() * 12)), 0); // a lying length
    output.write(bytes);
    output.end(); // the channel closes after the damage: every request must settle
    const outcome = await request;
    assert.notEqual(outcome, 'non-error', `seed ${seed}`);
    if (outcome === 'resolved')
      assert.equal(mode === 1 || mode === 0, true, `seed ${seed}: only a still-valid reply resolves`);
  }
});
