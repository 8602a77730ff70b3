// The streaming raw / VHD check against the simulator's /export_raw_vdi (format=raw and
// format=vhd, written like vhd-tool's dynamic VHD stream: footer copy, header, BAT, blocks,
// footer; Microsoft VHD specification 1.0) and damaged copies of them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ArchiveDamage, checkArchive, type ArchiveSpec } from '../../runner/src/archive/index';
import type { Simulator } from '../sim/index';
import { vhdFooter } from '../sim/http/vhd';
import { download, pieces, startExportPool, vmDisks } from './exports';

let sim: Simulator;
let raw: Buffer;
let vhd: Buffer;
let size: number;

before(async () => {
  sim = await startExportPool();
  const [disk] = vmDisks(sim, 'mixed');
  size = disk!.size;
  raw = await download(sim, '/export_raw_vdi', { vdi: disk!.uuid, format: 'raw' });
  vhd = await download(sim, '/export_raw_vdi', { vdi: disk!.uuid, format: 'vhd' });
});
after(() => sim.close());

async function damage(data: Buffer, spec: ArchiveSpec): Promise<string> {
  const error = await checkArchive(pieces(data, 4096), spec).then(
    () => assert.fail('the damaged image passed the check'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof ArchiveDamage, String(error));
  return error.message;
}

/** The footer's checksum field recomputed, so only the change under test is wrong. */
function sealFooter(footer: Buffer): Buffer {
  footer.writeUInt32BE(0, 64);
  let sum = 0;
  for (const b of footer) sum += b;
  footer.writeUInt32BE(~sum >>> 0, 64);
  return footer;
}

test('raw: exactly the virtual size passes; shorter or longer is refused', async () => {
  const spec: ArchiveSpec = { kind: 'raw', virtualSize: size };
  assert.deepEqual((await checkArchive(pieces(raw), spec)).image, { format: 'raw', bytes: size });
  assert.match(
    await damage(raw.subarray(0, size - 1), spec),
    new RegExp(`raw image is ${size - 1} bytes, expected the disk's virtual size ${size}`),
  );
  assert.match(await damage(raw.subarray(0, size - 512 * 1024), spec), /raw image is \d+ bytes/);
  assert.match(await damage(Buffer.concat([raw, Buffer.alloc(1)]), spec), /longer than the disk's virtual size/);
});

test('vhd: a complete dynamic image passes with its allocated blocks counted', async () => {
  const summary = await checkArchive(pieces(vhd), { kind: 'vhd', virtualSize: size });
  assert.equal(summary.image!.vhdType, 'dynamic');
  assert.equal(summary.image!.blocks, 2); // 3.5 MiB of data in 2 MiB blocks
});

test('vhd: a damaged or missing footer is refused', async () => {
  const spec: ArchiveSpec = { kind: 'vhd', virtualSize: size };
  const badSum = Buffer.from(vhd);
  badSum[badSum.length - 512 + 70] ^= 0xff; // inside the unique id: only the checksum notices
  assert.match(await damage(badSum, spec), /the vhd footer is damaged \(wrong checksum\)/);
  const noCookie = Buffer.from(vhd);
  noCookie.write('XXXXXXXX', vhd.length - 512, 'latin1');
  assert.match(await damage(noCookie, spec), /the vhd footer has no "conectix" cookie/);
  assert.match(await damage(vhd.subarray(0, vhd.length - 512), spec), /no "conectix" cookie|outside the data area/);
  assert.match(await damage(vhd.subarray(0, vhd.length - 100), spec), /not whole 512-byte sectors/);
  assert.match(
    await damage(vhd, { kind: 'vhd', virtualSize: size + 1024 }),
    /announces \d+ bytes, expected the disk's virtual size/,
  );
  const otherDisk = Buffer.concat([vhd.subarray(0, vhd.length - 512), vhdFooter(size, 'another disk')]);
  assert.match(await damage(otherDisk, spec), /describe different disks/);
});

test('vhd: damaged dynamic header or block table is refused', async () => {
  const spec: ArchiveSpec = { kind: 'vhd', virtualSize: size };
  const header = Buffer.from(vhd);
  header[512 + 30] ^= 0x01; // max table entries, checksum now wrong
  assert.match(await damage(header, spec), /dynamic header is damaged \(wrong checksum\)/);
  const bat = Buffer.from(vhd);
  bat.writeUInt32BE(0x00ffffff, 1536); // block 0 far past the end of the file
  assert.match(await damage(bat, spec), /vhd block 0 lies at bytes \d+\.\.\d+, outside the data area/);
  const overlap = Buffer.from(vhd);
  overlap.writeUInt32BE(overlap.readUInt32BE(1536) + 1, 1540); // block 1 starts inside block 0
  assert.match(await damage(overlap, spec), /two vhd blocks overlap|outside the data area/);
  const cut = vhd.subarray(0, 1536 + 2);
  assert.match(
    await damage(Buffer.concat([cut, Buffer.alloc(510), vhd.subarray(vhd.length - 512)]), spec),
    /before its block table|outside/,
  );
});

test('vhd: a fixed image (data + footer) passes; a dynamic footer copy with a changed type is refused', async () => {
  const fixed = sealFooter(vhdFooter(size, 'fixed disk'));
  fixed.writeUInt32BE(2, 60);
  fixed.writeBigUInt64BE(0xffffffffffffffffn, 16);
  sealFooter(fixed);
  const image = Buffer.concat([raw, fixed]);
  assert.equal((await checkArchive(pieces(image), { kind: 'vhd', virtualSize: size })).image!.vhdType, 'fixed');
  assert.match(
    await damage(Buffer.concat([raw.subarray(512), fixed]), { kind: 'vhd', virtualSize: size }),
    /fixed vhd image is \d+ bytes/,
  );
  const differencing = Buffer.from(vhd);
  differencing.writeUInt32BE(4, 60);
  sealFooter(differencing.subarray(0, 512));
  assert.match(await damage(differencing, { kind: 'vhd', virtualSize: size }), /disk type is 4/);
});
