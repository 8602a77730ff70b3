// A backup is marked `success` only after its export file has been read back to its last
// byte and proven complete (runner/src/archive): for an XVA every tar member whole, the
// end-of-archive blocks, ova.xml parsed and every chunk of every disk it announces present
// with a matching checksum (plain, gzip or zstd); for a vdi-export the raw size or the
// VHD footer, header and block table against the disk's virtual size.
// The file is always checked in this process, read through the host (Host.readStream):
// from the file system on a local host, over the run's ssh connection on an ssh host, so
// both paths run the same checks. Nothing is ever delegated to the target's own tools.
import { checkArchive, type ArchiveSummary } from '../archive/index';
import type { CompressMode } from '../config/types';
import type { Host } from '../host/types';

function describeXva(summary: ArchiveSummary): string {
  const xva = summary.xva!;
  const chunks = xva.disks.reduce((sum, disk) => sum + disk.chunks, 0);
  const disks = xva.disks.length === 1 ? '1 disk' : `${xva.disks.length} disks`;
  const bytes = `${summary.fileBytes} bytes`;
  return `complete archive: ${xva.entries} tar entries, ${disks}, ${chunks} chunk checksums verified, ${bytes}`;
}

/** Reads an XVA to its end; resolves with a line for the log, rejects with what is damaged. */
export async function verifyXva(
  host: Host,
  file: string,
  compress: CompressMode,
  options: { metadataOnly?: boolean } = {},
): Promise<string> {
  const summary = await checkArchive(host.readStream(file), {
    kind: 'xva',
    compression: compress,
    metadataOnly: options.metadataOnly ?? false,
  });
  return describeXva(summary);
}

/** Reads a vdi-export image to its end against the disk's virtual size. */
export async function verifyDiskImage(
  host: Host,
  file: string,
  format: 'raw' | 'vhd',
  virtualSize: number,
): Promise<string> {
  const { image } = await checkArchive(host.readStream(file), { kind: format, virtualSize });
  if (image!.format === 'raw') return `complete raw image: ${image!.bytes} bytes, the disk's virtual size`;
  const blocks = image!.vhdType === 'dynamic' ? `, ${image!.blocks} allocated blocks` : '';
  return `complete ${image!.vhdType} vhd: ${image!.bytes} bytes for a ${virtualSize}-byte disk${blocks}`;
}
