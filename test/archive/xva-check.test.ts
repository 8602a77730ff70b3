// The streaming XVA check against real exports of the simulator (written as xapi's
// export.ml + stream_vdi.ml send_all write them) and every kind of damage. What counts as
// complete follows xapi's import (stream_vdi.ml recv_all_vdi, import.ml non_cdrom_vdis).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import * as zstd from '@bokuweb/zstd-wasm';
import { ArchiveDamage, checkArchive, type ArchiveSpec } from '../../runner/src/archive/index';
import type { Simulator } from '../sim/index';
import { initDiskContent, xxh64Hex } from '../sim/http/disk';
import { download, headerOffsets, membersOf, pieces, startExportPool, tarOf, vmUuid, type Member } from './exports';

let sim: Simulator;
let plain: Buffer;
let gzip: Buffer;
let zst: Buffer;
let metadata: Buffer;
const PLAIN: ArchiveSpec = { kind: 'xva', compression: 'none' };

before(async () => {
  sim = await startExportPool();
  await initDiskContent();
  await zstd.init();
  const uuid = vmUuid(sim, 'mixed');
  plain = await download(sim, '/export', { uuid });
  gzip = await download(sim, '/export', { uuid, use_compression: 'gzip' });
  zst = await download(sim, '/export', { uuid, use_compression: 'zstd' });
  metadata = await download(sim, '/export_metadata', { uuid });
});
after(() => sim.close());

async function damage(data: Buffer, spec: ArchiveSpec = PLAIN, pieceSize?: number): Promise<string> {
  const error = await checkArchive(pieces(data, pieceSize), spec).then(
    () => assert.fail('the damaged file passed the check'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ArchiveDamage, String(error));
  return error.message;
}

test('complete exports pass, plain, gzip and zstd: both disks, the CD left out, zero chunks skipped', async () => {
  for (const [data, compression] of [
    [plain, 'none'],
    [gzip, 'gzip'],
    [zst, 'zstd'],
  ] as const) {
    const summary = await checkArchive(pieces(data), { kind: 'xva', compression });
    assert.equal(summary.fileBytes, data.length);
    assert.deepEqual(
      summary.xva!.disks.map((d) => [d.size, d.chunks]),
      [
        [3.5 * 1024 * 1024, 4],
        [6 * 1024 * 1024, 2],
      ],
      compression,
    );
    assert.equal(summary.xva!.tarBytes, plain.length);
  }
  assert.ok(gzip.length < plain.length && zst.length < plain.length, 'the compressed downloads are compressed');
});

test('the result does not depend on how the bytes are cut into pieces', async () => {
  for (const size of [511, 513, 4096, 1024 * 1024 + 7]) {
    const summary = await checkArchive(pieces(plain, size), PLAIN);
    assert.deepEqual(
      summary.xva!.disks.map((d) => d.chunks),
      [4, 2],
      `pieces of ${size}`,
    );
  }
  await checkArchive(pieces(metadata, 1), { kind: 'xva', compression: 'none', metadataOnly: true });
  assert.match(
    await damage(metadata.subarray(0, metadata.length - 300), PLAIN, 1),
    /only one of its two end-of-archive blocks/,
  );
});

test('a cut at every member boundary, inside every header and inside every entry is refused', async () => {
  const members = membersOf(plain);
  const offsets = headerOffsets(members);
  assert.ok(members.length >= 13, `ova.xml + (4 + 2) chunks with checksums: ${members.map((m) => m.name)}`);
  for (const [i, at] of offsets.entries()) {
    if (i > 0)
      assert.match(
        await damage(plain.subarray(0, at)),
        /without its end-of-archive blocks/,
        `cut before ${members[i]!.name}`,
      );
    assert.match(
      await damage(plain.subarray(0, at + 100)),
      /ends inside the header of entry/,
      `cut in header of ${members[i]!.name}`,
    );
    if (members[i]!.data.length > 1) {
      const mid = at + 512 + Math.floor(members[i]!.data.length / 2);
      assert.match(await damage(plain.subarray(0, mid)), /ends inside entry/, `cut inside ${members[i]!.name}`);
    }
  }
  const end = plain.length - 1024;
  assert.match(await damage(plain.subarray(0, end)), /without its end-of-archive blocks/);
  assert.match(await damage(plain.subarray(0, end + 512)), /only one of its two end-of-archive blocks/);
  assert.match(await damage(plain.subarray(0, end + 900)), /only one of its two end-of-archive blocks/);
});

test('a whole archive of whole members that stops before the last chunk of a disk is refused', async () => {
  const members = membersOf(plain);
  // drop the last chunk of the last disk (data + checksum), keep the end-of-archive blocks
  assert.match(
    await damage(tarOf(members.slice(0, -2))),
    /disk Ref:\d+ is incomplete: the archive ends after 1048576 of its 6291456 bytes/,
  );
  // drop the last chunk of the first disk: the next disk's entries come too early
  const firstDiskEnd = members.findIndex((m, i) => i > 0 && m.name.split('/')[0] !== members[1]!.name.split('/')[0]);
  const withoutLast = [...members.slice(0, firstDiskEnd - 2), ...members.slice(firstDiskEnd)];
  assert.match(
    await damage(tarOf(withoutLast)),
    /ends after 3145728 of its 3670016 bytes: the next entry is Ref:\d+\/00000000/,
  );
  // drop the first chunk of a disk
  assert.match(await damage(tarOf([members[0]!, ...members.slice(3)])), /its first chunk is missing/);
  // a chunk without its checksum entry
  assert.match(await damage(tarOf([...members.slice(0, 2), ...members.slice(3)])), /has no checksum entry/);
  // only ova.xml: both disks missing
  assert.match(await damage(tarOf(members.slice(0, 1))), /disk Ref:\d+ is incomplete: the archive ends after 0 of its/);
});

test('a chunk whose data or checksum entry changed is refused, naming the chunk', async () => {
  const members = membersOf(plain);
  const badSum = members.map((m) => (m.name.endsWith('.xxhash') ? { ...m, data: Buffer.from('0123456789ABCDEF') } : m));
  assert.match(
    await damage(tarOf(badSum)),
    /chunk Ref:\d+\/00000000 is damaged: its checksum entry says "0123456789ABCDEF"/,
  );
  const flipped = members.map((m, i) => (i === 3 ? { ...m, data: Buffer.from(m.data).fill(0x55, 1000, 1001) } : m));
  assert.match(await damage(tarOf(flipped)), new RegExp(`chunk ${members[3]!.name} is damaged`));
});

test(
  'empty keep-alive chunk entries (stream_vdi.ml write_chunk, timeout workaround) ' +
    'and SHA-1 .checksum entries pass',
  async () => {
    const members = membersOf(plain);
    const sparse = members.findIndex((m) => m.name.endsWith('/00000005'));
    const prefix = members[sparse]!.name.split('/')[0];
    // xapi sends an empty entry after 5 s without data; later chunks are numbered one higher
    const keepAlive: Member[] = [
      { name: `${prefix}/00000002`, data: Buffer.alloc(0) },
      { name: `${prefix}/00000002.xxhash`, data: Buffer.from(xxh64Hex(Buffer.alloc(0))) },
      { name: `${prefix}/00000006`, data: members[sparse]!.data },
      { name: `${prefix}/00000006.xxhash`, data: members[sparse + 1]!.data },
    ];
    const withKeepAlive = [...members.slice(0, sparse), ...keepAlive, ...members.slice(sparse + 2)];
    const summary = await checkArchive(pieces(tarOf(withKeepAlive)), PLAIN);
    assert.deepEqual(
      summary.xva!.disks.map((d) => d.chunks),
      [4, 3],
    );

    const sha1: Member[] = [];
    for (let i = 0; i < members.length; i++) {
      const m = members[i]!;
      if (!m.name.endsWith('.xxhash')) sha1.push(m);
      else
        sha1.push({
          name: m.name.replace(/\.xxhash$/, '.checksum'),
          data: Buffer.from(
            createHash('sha1')
              .update(members[i - 1]!.data)
              .digest('hex'),
          ),
        });
    }
    await checkArchive(pieces(tarOf(sha1)), PLAIN);
  },
);

test('misplaced or unknown entries are refused: not ova.xml first, chunks out of order, short chunks', async () => {
  const members = membersOf(plain);
  assert.match(
    await damage(tarOf([members[1]!, members[0]!, ...members.slice(2)])),
    /the first entry is Ref:\d+\/00000000, not ova.xml/,
  );
  assert.match(
    await damage(tarOf([...members, { name: 'extra', data: Buffer.from('x') }])),
    /unexpected entry extra after the last disk/,
  );
  const swapped = [members[0]!, members[3]!, members[4]!, members[1]!, members[2]!, ...members.slice(5)];
  assert.match(await damage(tarOf(swapped)), /first chunk is missing|comes after/);
  const short = members.map((m, i) => (i === 1 ? { ...m, data: m.data.subarray(0, 1000) } : m));
  assert.match(await damage(tarOf(short)), /holds 1000 bytes where 1048576 are expected/);
});

test('header damage and data after the end: a wrong header checksum is refused, zero padding is not', async () => {
  const damaged = Buffer.from(plain);
  const second = headerOffsets(membersOf(plain))[1]!;
  damaged[second + 10] ^= 0x01;
  assert.match(await damage(damaged), /the header of entry #2 at byte \d+ is damaged \(wrong header checksum\)/);
  await checkArchive(pieces(Buffer.concat([plain, Buffer.alloc(10240)])), PLAIN);
  const garbage = Buffer.concat([plain, Buffer.alloc(512, 0x41)]);
  assert.match(await damage(garbage), /data after the end-of-archive blocks/);
  assert.match(await damage(Buffer.alloc(0)), /the file is empty/);
});

test('ova.xml that does not parse, or names no export, is refused', async () => {
  const members = membersOf(plain);
  const broken = [{ name: 'ova.xml', data: members[0]!.data.subarray(0, 200) }, ...members.slice(1)];
  assert.match(await damage(tarOf(broken)), /ova.xml is not readable XML/);
  const other = [{ name: 'ova.xml', data: Buffer.from('<value><struct></struct></value>') }, ...members.slice(1)];
  assert.match(await damage(tarOf(other)), /does not hold an export header/);
});

test('gzip and zstd: a truncated compressed stream is refused, as is a complete stream of a cut archive', async () => {
  const gz: ArchiveSpec = { kind: 'xva', compression: 'gzip' };
  const zs: ArchiveSpec = { kind: 'xva', compression: 'zstd' };
  for (const cut of [gzip.length - 1, gzip.length - 8, Math.floor(gzip.length / 2), 100]) {
    assert.match(await damage(gzip.subarray(0, cut), gz), /gzip stream is damaged|ends/, `gzip cut at ${cut}`);
  }
  for (const cut of [zst.length - 1, Math.floor(zst.length / 2), 100]) {
    assert.match(await damage(zst.subarray(0, cut), zs), /zstd stream is damaged/, `zstd cut at ${cut}`);
  }
  const inner = gunzipSync(gzip).subarray(0, plain.length - 1024);
  assert.match(await damage(gzipSync(inner), gz), /without its end-of-archive blocks/);
  assert.match(await damage(Buffer.from(zstd.compress(inner, 3)), zs), /without its end-of-archive blocks/);
  assert.match(await damage(plain, gz), /the file is not compressed, expected gzip-compressed/);
  assert.match(await damage(gzip, PLAIN), /the file is gzip-compressed, expected not compressed/);
});

test('metadata exports (export.ml export_metadata): ova.xml alone passes as metadata, not as a full one', async () => {
  const summary = await checkArchive(pieces(metadata), { kind: 'xva', compression: 'none', metadataOnly: true });
  assert.equal(summary.xva!.entries, 1);
  assert.match(await damage(metadata), /disk Ref:\d+ is incomplete/);
  assert.match(
    await damage(plain, { kind: 'xva', compression: 'none', metadataOnly: true }),
    /a metadata export holds only ova.xml/,
  );
  assert.match(
    await damage(metadata.subarray(0, metadata.length - 1024), {
      kind: 'xva',
      compression: 'none',
      metadataOnly: true,
    }),
    /end-of-archive/,
  );
});
