// A backup is marked `success` only after its export file has been read back to its last
// byte and proven complete (runner/src/archive): for an XVA every tar member whole, the
// end-of-archive blocks, ova.xml parsed and every chunk of every disk it announces present
// with a matching checksum (plain, gzip or zstd); for a vdi-export the raw size or the
// VHD footer, header and block table against the disk's virtual size.
// The file is always checked in this process, read through the host (Host.readStream):
// from the file system on a local host, over the run's ssh connection on an ssh host, so
// both paths run the same checks. Nothing is ever delegated to the target's own tools.
import { ArchiveDamage, checkArchive, type ArchiveSummary } from '../archive/index';
import type { CompressMode } from '../config/types';
import type { Host } from '../host/types';

/** The file's bytes, stopping at the next piece once the run is cancelled (a read can be long). */
async function* readUntilCancelled(host: Host, file: string, signal: AbortSignal | undefined): AsyncGenerator<Buffer> {
  signal?.throwIfAborted();
  for await (const piece of host.readStream(file)) {
    signal?.throwIfAborted();
    yield piece;
  }
}

function describeXva(summary: ArchiveSummary): string {
  const xva = summary.xva!;
  const chunks = xva.disks.reduce((sum, disk) => sum + disk.chunks, 0);
  const disks = xva.disks.length === 1 ? '1 disk' : `${xva.disks.length} disks`;
  const bytes = `${summary.fileBytes} bytes`;
  return `complete archive: ${xva.entries} tar entries, ${disks}, ${chunks} chunk checksums verified, ${bytes}`;
}

export interface VerifyOptions {
  /** `xe vm-export metadata=true`: ova.xml only. */
  metadataOnly?: boolean;
  /** The run's cancellation: the check stops reading and rejects. */
  signal?: AbortSignal;
}

/**
 * The check a host made while writing the file (the xapi transport: no second read pass), or
 * the check of the file read back.
 */
async function checked(host: Host, file: string, check: () => Promise<ArchiveSummary>): Promise<ArchiveSummary> {
  const inFlight = host.checkedWhileWriting?.(file);
  if (inFlight instanceof ArchiveDamage) throw inFlight;
  return inFlight ?? check();
}

/** Reads an XVA to its end; resolves with a line for the log, rejects with what is damaged. */
export async function verifyXva(
  host: Host,
  file: string,
  compress: CompressMode,
  options: VerifyOptions = {},
): Promise<string> {
  const summary = await checked(host, file, () =>
    checkArchive(readUntilCancelled(host, file, options.signal), {
      kind: 'xva',
      compression: compress,
      metadataOnly: options.metadataOnly ?? false,
    }),
  );
  return describeXva(summary);
}

/** Reads a vdi-export image to its end against the disk's virtual size. */
export async function verifyDiskImage(
  host: Host,
  file: string,
  format: 'raw' | 'vhd',
  virtualSize: number,
  options: Pick<VerifyOptions, 'signal'> = {},
): Promise<string> {
  const { image } = await checked(host, file, () =>
    checkArchive(readUntilCancelled(host, file, options.signal), { kind: format, virtualSize }),
  );
  if (image!.format === 'raw') return `complete raw image: ${image!.bytes} bytes, the disk's virtual size`;
  const blocks = image!.vhdType === 'dynamic' ? `, ${image!.blocks} allocated blocks` : '';
  return `complete ${image!.vhdType} vhd: ${image!.bytes} bytes for a ${virtualSize}-byte disk${blocks}`;
}
