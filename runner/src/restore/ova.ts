// ova.xml, the first entry of an export file (.xva, .xva.gz, .xva.zst), read through the Host:
// only the bytes up to its end are read and decompressed, however large the export.
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { Decompress as ZstdDecompress } from 'fzstd';
import { TarStreamReader } from '../archive/tar-stream';
import type { Host } from '../host/types';

async function* unzstd(source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const out: Uint8Array[] = [];
  const decoder = new ZstdDecompress((chunk) => out.push(chunk));
  for await (const chunk of source) {
    decoder.push(chunk);
    yield* out.splice(0);
  }
}

export async function readOvaXml(host: Host, file: string, format: 'xva' | 'xva.gz' | 'xva.zst'): Promise<string> {
  const parts: Buffer[] = [];
  let inOva = false;
  let done = false;
  const tar = new TarStreamReader({
    entry: (entry) => {
      inOva = entry.name === 'ova.xml';
      if (!inOva) done = true;
    },
    data: (bytes) => {
      if (inOva) parts.push(Buffer.from(bytes));
    },
    entryEnd: () => {
      if (inOva) done = true;
    },
  });
  const source = host.readStream(file);
  const stream = format === 'xva.gz' ? Readable.from(source).pipe(createGunzip()) : undefined;
  try {
    for await (const piece of stream ?? (format === 'xva.zst' ? unzstd(source) : source)) {
      tar.push(piece as Uint8Array);
      if (done) break;
    }
  } finally {
    stream?.destroy();
  }
  if (!done || parts.length === 0) throw new Error(`${file}: no ova.xml at the start of the export`);
  return Buffer.concat(parts).toString('utf8');
}
