// Checks the content of an XVA tar the way xapi's import would read it back
// (stream_vdi.ml, recv_all_vdi), so a file that passes would restore:
//  - the first entry is ova.xml and parses (xva-metadata.ts says which disks follow);
//  - each disk, in id order, is a run of chunk entries `<id>/<number>`, numbers rising,
//    each followed by its checksum entry (`.xxhash` or `.checksum`) matching its data;
//  - chunks hold 1 MiB, except the disk's last one (what is left of virtual_size) and the
//    empty keep-alive entries xapi writes during long runs of zeros; missing numbers are
//    chunks of zeros xapi left out, counted as 1 MiB each (the first and the last chunk are
//    always written, so a disk whose chunks do not reach its virtual_size is incomplete);
//  - nothing else: no unknown entry, nothing after the last disk.
// Memory: one chunk (at most 1 MiB) and ova.xml are held at a time.
import { ArchiveDamage } from './damage';
import type { ChunkHashers } from './hashes';
import type { TarEntry, TarListener } from './tar-stream';
import { readOvaXml, type XvaDisk } from './xva-metadata';

export const XVA_CHUNK = 1024 * 1024;
const OVA_XML_LIMIT = 256 * 1024 * 1024;
const CHECKSUM_LIMIT = 128;

export interface XvaDiskSummary extends XvaDisk {
  /** Chunk entries present (data and keep-alive), each with a verified checksum. */
  chunks: number;
}

export interface XvaSummary {
  exportVsn: number;
  disks: XvaDiskSummary[];
  entries: number;
}

export interface XvaCheckOptions {
  /** `xe vm-export metadata=true`: ova.xml only, no disks. */
  metadataOnly?: boolean;
}

interface PendingChunk {
  name: string;
  size: number;
  filled: number;
}

export class XvaChecker implements TarListener {
  private ovaParts: Buffer[] | undefined;
  private ovaBytes = 0;
  private disks: XvaDiskSummary[] | undefined;
  private exportVsn = 0;
  private diskIndex = 0;
  /** Bytes of the current disk accounted for (chunks present + zero chunks left out). */
  private diskOffset = 0;
  private lastNumber = -1;
  private readonly chunk = Buffer.alloc(XVA_CHUNK);
  private pending: PendingChunk | undefined;
  private checksum: Buffer[] | undefined;
  private entries = 0;

  constructor(
    private readonly hashers: ChunkHashers,
    private readonly options: XvaCheckOptions = {},
  ) {}

  entry(entry: TarEntry): void {
    this.entries++;
    if (entry.type !== '0')
      throw new ArchiveDamage(`entry ${entry.name} is not a plain file (tar type '${entry.type}')`);
    if (entry.index === 0) {
      if (entry.name !== 'ova.xml') throw new ArchiveDamage(`the first entry is ${entry.name}, not ova.xml`);
      if (entry.size > OVA_XML_LIMIT)
        throw new ArchiveDamage(`ova.xml is ${entry.size} bytes, more than an export header can be`);
      this.ovaParts = [];
      return;
    }
    if (this.pending) return this.startChecksum(entry, this.pending);
    this.startChunk(entry);
  }

  private startChecksum(entry: TarEntry, chunk: PendingChunk): void {
    if (entry.name !== `${chunk.name}.xxhash` && entry.name !== `${chunk.name}.checksum`) {
      throw new ArchiveDamage(`chunk ${chunk.name} has no checksum entry (the next entry is ${entry.name})`);
    }
    if (entry.size > CHECKSUM_LIMIT)
      throw new ArchiveDamage(`checksum entry ${entry.name} is ${entry.size} bytes long`);
    this.checksum = [];
  }

  private startChunk(entry: TarEntry): void {
    const disks = this.disks!;
    if (this.options.metadataOnly)
      throw new ArchiveDamage(`unexpected entry ${entry.name}: a metadata export holds only ova.xml`);
    const disk = disks[this.diskIndex];
    if (!disk) throw new ArchiveDamage(`unexpected entry ${entry.name} after the last disk`);
    const match = /^(.*)\/(\d+)$/.exec(entry.name);
    if (!match || match[1] !== disk.id) {
      if (this.lastNumber < 0)
        throw new ArchiveDamage(`disk ${disk.id} is missing: the entry where it begins is ${entry.name}`);
      throw new ArchiveDamage(
        `disk ${disk.id} ends after ${this.diskOffset} of its ${disk.size} bytes: the next entry is ${entry.name}`,
      );
    }
    const number = Number(match[2]);
    if (this.lastNumber < 0 && number !== 0)
      throw new ArchiveDamage(`disk ${disk.id}: its first chunk is missing (found ${entry.name})`);
    if (number <= this.lastNumber)
      throw new ArchiveDamage(`disk ${disk.id}: chunk ${entry.name} comes after chunk ${this.lastNumber}`);
    this.diskOffset += (number - this.lastNumber - 1) * XVA_CHUNK;
    this.lastNumber = number;
    const expected = Math.min(XVA_CHUNK, disk.size - this.diskOffset);
    if (expected <= 0)
      throw new ArchiveDamage(`chunk ${entry.name} lies beyond the ${disk.size} bytes of disk ${disk.id}`);
    const keepAlive = entry.size === 0 && number !== 0;
    if (!keepAlive && entry.size !== expected) {
      throw new ArchiveDamage(`chunk ${entry.name} holds ${entry.size} bytes where ${expected} are expected`);
    }
    this.pending = { name: entry.name, size: entry.size, filled: 0 };
  }

  data(bytes: Uint8Array): void {
    if (this.ovaParts) {
      this.ovaParts.push(Buffer.from(bytes));
      this.ovaBytes += bytes.length;
    } else if (this.checksum) {
      this.checksum.push(Buffer.from(bytes));
    } else if (this.pending) {
      this.chunk.set(bytes, this.pending.filled);
      this.pending.filled += bytes.length;
    }
  }

  entryEnd(entry: TarEntry): void {
    if (this.ovaParts) {
      const xml = Buffer.concat(this.ovaParts, this.ovaBytes).toString('utf8');
      this.ovaParts = undefined;
      this.readHeader(xml);
    } else if (this.checksum) {
      this.verifyChecksum(entry, Buffer.concat(this.checksum).toString('latin1'), this.pending!);
      this.checksum = undefined;
    }
  }

  private readHeader(xml: string): void {
    const metadata = readOvaXml(xml);
    if (!this.options.metadataOnly && metadata.exportVsn < 1) {
      throw new ArchiveDamage(
        `ova.xml announces export_vsn ${metadata.exportVsn}: exports without inline chunk checksums are not checked`,
      );
    }
    this.exportVsn = metadata.exportVsn;
    this.disks = metadata.disks.map((disk) => ({ ...disk, chunks: 0 }));
    this.skipEmptyDisks();
  }

  private verifyChecksum(entry: TarEntry, stored: string, chunk: PendingChunk): void {
    const data = this.chunk.subarray(0, chunk.size);
    const actual = entry.name.endsWith('.xxhash') ? this.hashers.xxh64Hex(data) : this.hashers.sha1Hex(data);
    if (stored !== actual) {
      throw new ArchiveDamage(
        `chunk ${chunk.name} is damaged: its checksum entry says ${JSON.stringify(stored)}, ` +
          `the data hashes to ${actual}`,
      );
    }
    const disk = this.disks![this.diskIndex]!;
    disk.chunks++;
    this.diskOffset += chunk.size;
    this.pending = undefined;
    if (this.diskOffset === disk.size) {
      this.diskIndex++;
      this.skipEmptyDisks();
    }
  }

  /** A disk of 0 bytes has no chunk at all (stream_vdi.ml writes nothing for it). */
  private skipEmptyDisks(): void {
    this.diskOffset = 0;
    this.lastNumber = -1;
    while (this.disks![this.diskIndex]?.size === 0) this.diskIndex++;
  }

  /** The tar ended properly: throws unless every announced disk was complete. */
  finish(): XvaSummary {
    if (!this.disks) throw new ArchiveDamage('ova.xml is missing');
    if (this.pending) throw new ArchiveDamage(`chunk ${this.pending.name} has no checksum entry`);
    const disk = this.disks[this.diskIndex];
    if (disk && !this.options.metadataOnly) {
      throw new ArchiveDamage(
        `disk ${disk.id} is incomplete: the archive ends after ${this.diskOffset} of its ${disk.size} bytes`,
      );
    }
    return { exportVsn: this.exportVsn, disks: this.disks, entries: this.entries };
  }
}
