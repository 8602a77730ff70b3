// Streaming ustar writer. Entry sizes are known before the data is written (disk chunks,
// checksums, ova.xml), so a 512-byte header per entry is all a streamed archive needs; node-tar
// is for reading (the tests verify archives with it and with `tar -t`).
const BLOCK = 512;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

export function tarHeader(name: string, size: number, mtime: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  const nameBytes = Buffer.from(name, 'utf8');
  if (nameBytes.length > 100) throw new Error(`tar entry name too long: ${name}`);
  nameBytes.copy(h, 0);
  h.write(octal(0o644, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(Math.floor(mtime), 12), 136, 'ascii');
  h.fill(0x20, 148, 156); // checksum field counts as spaces while summing
  h.write('0', 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.write('root', 265, 'ascii');
  h.write('root', 297, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return h;
}

const ZEROS = Buffer.alloc(BLOCK * 2);

/** Zero bytes that pad an entry of `size` bytes to a whole block. */
export function tarPadding(size: number): Buffer {
  const rest = size % BLOCK;
  return rest === 0 ? ZEROS.subarray(0, 0) : ZEROS.subarray(0, BLOCK - rest);
}

/** The two zero blocks that end an archive. */
export const TAR_END = ZEROS;

/** A whole archive of small in-memory files. */
export function tarOf(files: { name: string; data: Buffer }[], mtime = Date.now() / 1000): Buffer {
  const parts: Buffer[] = [];
  for (const f of files) parts.push(tarHeader(f.name, f.data.length, mtime), f.data, tarPadding(f.data.length));
  parts.push(TAR_END);
  return Buffer.concat(parts);
}
