// A backup is marked `success` only after its file has been checked:
//  - XVA (vm-export, metadata-export): the whole tar structure reads to its end and the
//    first entry, ova.xml, parses as XML. Local files go through the `tar` package;
//    on an ssh target the host's own tar reads the file where it lies.
//  - raw: exactly the virtual size. vhd: a valid footer (`conectix`) announcing that size.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Transform } from 'node:stream';
import { Decompress as ZstdDecompress } from 'fzstd';
import { Parser as TarParser } from 'tar';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Host } from '../host/types';
import type { CompressMode } from '../config/types';

export class VerifyError extends Error {
  override readonly name = 'VerifyError';
}

function checkOvaXml(xml: string | undefined): void {
  if (xml === undefined) throw new VerifyError('ova.xml is missing');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new VerifyError(`ova.xml is not readable XML: ${valid.err.msg}`);
  const parsed = new XMLParser().parse(xml) as { value?: { struct?: unknown } };
  if (!parsed.value?.struct) throw new VerifyError('ova.xml does not hold an XVA header');
}

function zstdTransform(): Transform {
  let push: (chunk: Uint8Array) => void = () => undefined;
  const decoder = new ZstdDecompress((chunk) => push(chunk));
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      push = (c) => this.push(Buffer.from(c));
      try {
        decoder.push(new Uint8Array(chunk));
        done();
      } catch (error) {
        done(error as Error);
      }
    },
    flush(done) {
      push = (c) => this.push(Buffer.from(c));
      try {
        decoder.push(new Uint8Array(0), true);
        done();
      } catch (error) {
        done(error as Error);
      }
    },
  });
}

async function verifyLocalXva(file: string, compress: CompressMode): Promise<{ entries: number }> {
  let first: string | undefined;
  let ovaXml: string | undefined;
  let entries = 0;
  let sawEnd = false;
  const parser = new TarParser({
    strict: true,
    onReadEntry: (entry) => {
      entries++;
      if (first === undefined) first = entry.path;
      if (entry.path === 'ova.xml' && ovaXml === undefined) {
        const chunks: Buffer[] = [];
        entry.on('data', (c: Buffer) => chunks.push(c));
        entry.on('end', () => (ovaXml = Buffer.concat(chunks).toString('utf8')));
      } else entry.resume();
    },
  });
  parser.on('end', () => (sawEnd = true));
  const stages: NodeJS.ReadWriteStream[] = [];
  if (compress === 'gzip') stages.push(createGunzip());
  if (compress === 'zstd') stages.push(zstdTransform());
  try {
    await pipeline(createReadStream(file), ...(stages as [NodeJS.ReadWriteStream]), parser as unknown as NodeJS.WritableStream);
  } catch (error) {
    throw new VerifyError(`not a complete archive: ${(error as Error).message}`);
  }
  if (!sawEnd || entries === 0) throw new VerifyError('not a complete tar archive');
  if (first !== 'ova.xml') throw new VerifyError(`first entry is '${first}', not ova.xml`);
  checkOvaXml(ovaXml);
  return { entries };
}

// Run on the target: decompress if needed, read ova.xml with tar (which reads the archive to
// its end and fails on a truncated one). The file name is "$1", never part of the script.
const REMOTE_SCRIPTS: Record<CompressMode, string> = {
  none: 'tar -xOf "$1" ova.xml',
  gzip: 'gzip -dc -- "$1" | tar -xOf - ova.xml',
  zstd: 'zstd -qdc -- "$1" | tar -xOf - ova.xml',
};

async function verifyRemoteXva(host: Host, file: string, compress: CompressMode): Promise<void> {
  const script = `set -o pipefail 2>/dev/null; ${REMOTE_SCRIPTS[compress]}`;
  const result = await host.run('bash', ['-c', script, 'verify', file]);
  if (result.exitCode !== 0) throw new VerifyError(`not a complete archive: ${result.stderr.trim().split('\n')[0] ?? ''}`);
  checkOvaXml(result.stdout);
}

export async function verifyXva(host: Host, file: string, compress: CompressMode): Promise<void> {
  if (host.description === 'local') await verifyLocalXva(file, compress);
  else await verifyRemoteXva(host, file, compress);
}

async function readTail(host: Host, file: string, bytes: number): Promise<Buffer> {
  if (host.description === 'local') {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      const length = Math.min(bytes, size);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      return buffer;
    } finally {
      await handle.close();
    }
  }
  // Binary through a text channel: hex with od, decoded here.
  const result = await host.run('sh', ['-c', 'tail -c "$2" -- "$1" | od -An -tx1 -v', 'tail', file, String(bytes)]);
  if (result.exitCode !== 0) throw new VerifyError(`cannot read ${file}: ${result.stderr.trim()}`);
  return Buffer.from(result.stdout.replace(/\s+/g, ''), 'hex');
}

export async function verifyDiskImage(host: Host, file: string, format: 'raw' | 'vhd', virtualSize: number): Promise<void> {
  const info = await host.stat(file);
  if (!info) throw new VerifyError(`${file} is missing`);
  if (format === 'raw') {
    if (info.size !== virtualSize) {
      throw new VerifyError(`raw image is ${info.size} bytes, expected the disk's virtual size ${virtualSize}`);
    }
    return;
  }
  if (info.size < 512) throw new VerifyError('vhd image is shorter than its footer');
  const footer = await readTail(host, file, 512);
  if (footer.subarray(0, 8).toString('latin1') !== 'conectix') throw new VerifyError('vhd footer cookie "conectix" is missing');
  const currentSize = Number(footer.readBigUInt64BE(48));
  if (currentSize !== virtualSize) {
    throw new VerifyError(`vhd footer announces ${currentSize} bytes, expected the disk's virtual size ${virtualSize}`);
  }
}
