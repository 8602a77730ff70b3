// A VHD stream written into a disk, as `vhd-tool serve --source-format vhd` does for
// /import_raw_vdi?format=vhd (ocaml/vhd-tool/src/impl.ml serve_vhd_to_raw reading
// ocaml/libs/vhd/vhd_format/f.ml openstream): footer, dynamic header at the footer's data
// offset, BAT at the header's table offset, then the blocks in the order they lie in the file;
// of each block only the sectors whose bitmap bit is set are written, at their virtual offset;
// finally the footer copy. A stream cannot seek back, so a structure behind the reading
// position, a bad cookie, version or checksum, or a short body fail the import.
import type { ByteReader } from './byte-reader';
import type { DiskWriter } from './disk-write';

const SECTOR = 512;

class BadVhd extends Error {}

function checksumOk(buf: Buffer, at: number): boolean {
  const copy = Buffer.from(buf);
  const stored = copy.readUInt32BE(at);
  copy.writeUInt32BE(0, at);
  let sum = 0;
  for (const b of copy) sum += b;
  return ~sum >>> 0 === stored;
}

/** f.ml Footer.unmarshal: cookie, version, disk type (fixed, dynamic, differencing), checksum. */
function checkFooter(footer: Buffer): void {
  if (footer.toString('latin1', 0, 8) !== 'conectix') throw new BadVhd('Unsupported footer cookie');
  if (footer.readUInt32BE(12) !== 0x00010000) throw new BadVhd('Unsupported footer version');
  if (![2, 3, 4].includes(footer.readUInt32BE(60))) throw new BadVhd('Unknown disk type');
  if (!checksumOk(footer, 64)) throw new BadVhd('Invalid checksum');
}

interface DynamicHeader {
  tableOffset: number;
  entries: number;
  blockSectors: number;
}

/** f.ml Header.unmarshal: cookie, data offset, version, power-of-two block size, checksum. */
function parseHeader(header: Buffer): DynamicHeader {
  if (header.toString('latin1', 0, 8) !== 'cxsparse') throw new BadVhd('Expected cookie cxsparse');
  if (header.readBigUInt64BE(8) !== 0xffffffffffffffffn) throw new BadVhd('Expected header data_offset');
  if (header.readUInt32BE(24) !== 0x00010000) throw new BadVhd('Expected header_version');
  const blockSize = header.readUInt32BE(32);
  if (blockSize < SECTOR || (blockSize & (blockSize - 1)) !== 0) throw new BadVhd('block_size is not a power of 2');
  if (!checksumOk(header, 36)) throw new BadVhd('Invalid header checksum');
  return {
    tableOffset: Number(header.readBigUInt64BE(16)),
    entries: header.readUInt32BE(28),
    blockSectors: blockSize / SECTOR,
  };
}

function bitSet(bitmap: Buffer, sector: number): boolean {
  return (bitmap[sector >> 3] & (0x80 >> (sector & 7))) !== 0;
}

/**
 * Reads the VHD from `reader` into `writer`; `length` (the body's content-length) places the
 * final footer. Throws BadVhd or the reader's EndOfStream on a damaged stream, or the writer's
 * VDI_IO_ERROR for data past the end of the disk.
 */
export async function receiveVhd(reader: ByteReader, writer: DiskWriter, length?: number): Promise<void> {
  const footer = await reader.read(SECTOR);
  checkFooter(footer);
  await reader.skipTo(Number(footer.readBigUInt64BE(16)));
  const header = parseHeader(await reader.read(1024));
  await reader.skipTo(header.tableOffset);
  const bat = await reader.read(Math.ceil((header.entries * 4) / SECTOR) * SECTOR);
  const blocks: [number, number][] = [];
  for (let i = 0; i < header.entries; i++) {
    const sector = bat.readUInt32BE(i * 4);
    if (sector !== 0xffffffff) blocks.push([sector, i]);
  }
  blocks.sort((a, b) => a[0] - b[0]);
  const bitmapBytes = Math.max(1, header.blockSectors >> 3);
  for (const [sector, index] of blocks) {
    await reader.skipTo(sector * SECTOR);
    const bitmap = await reader.read(bitmapBytes);
    let i = 0;
    while (i < header.blockSectors) {
      const set = bitSet(bitmap, i);
      let span = 1;
      while (i + span < header.blockSectors && bitSet(bitmap, i + span) === set) span++;
      const data = await reader.read(span * SECTOR);
      if (set) writer.write((index * header.blockSectors + i) * SECTOR, data);
      i += span;
    }
  }
  if (length !== undefined) await reader.skipTo(Math.floor((length - 1) / SECTOR) * SECTOR);
  checkFooter(await reader.read(SECTOR));
}

export { BadVhd };
