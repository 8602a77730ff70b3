// The full check of one backup folder: its export file read to the last byte through the
// Host and proven complete by the runner's own archive check (runner/src/archive, the check
// a run makes before it writes `success`). The verdict says what was checked, or the first
// damage found with where it was found.
import type { posix } from 'node:path';
import { ArchiveDamage, checkArchive, type ArchiveSpec, type ArchiveSummary } from '../archive/index';
import type { Host } from '../host/types';
import { pathsOf } from '../backup/layout';
import { untilAborted } from './abortable';
import { backupKind, bootDiskSize, readFolder, type FolderContents } from './folder';
import type { BackupKind, FolderVerification } from './types';

const COMPRESSION: Record<string, 'none' | 'gzip' | 'zstd'> = { xva: 'none', 'xva.gz': 'gzip', 'xva.zst': 'zstd' };

/** The file's bytes, counting how many were read (to say where damage was found). */
async function* counting(
  source: AsyncIterable<Buffer>,
  read: { bytes: number },
  signal: AbortSignal | undefined,
): AsyncGenerator<Buffer> {
  for await (const piece of untilAborted(source, signal)) {
    read.bytes += piece.length;
    yield piece;
  }
}

function xvaLines(file: string, kind: BackupKind, summary: ArchiveSummary): string[] {
  const xva = summary.xva!;
  const compression = COMPRESSION[kind] ?? 'none';
  const lines = [
    compression === 'none'
      ? `${file}: ${summary.fileBytes} bytes, a tar archive read to its end`
      : `${file}: ${summary.fileBytes} bytes, a ${compression} stream decompressed to its end ` +
        `(${xva.tarBytes} bytes of tar)`,
    `tar: ${xva.entries} members, every header checksum and size, every member's data and padding, ` +
      'the two end-of-archive blocks',
    kind === 'metadata'
      ? 'ova.xml: parsed; a metadata export holds nothing else'
      : `ova.xml: parsed, export_vsn ${xva.exportVsn}, ${xva.disks.length} disk(s) announced`,
  ];
  for (const disk of xva.disks) {
    if (kind === 'metadata') break;
    lines.push(`disk ${disk.id}: ${disk.size} bytes, ${disk.chunks} chunks each matching its checksum entry`);
  }
  return lines;
}

function imageLines(file: string, summary: ArchiveSummary, virtualSize: { bytes: number; source: string }): string[] {
  const image = summary.image!;
  const expected = `the disk's virtual size ${virtualSize.bytes} (${virtualSize.source})`;
  if (image.format === 'raw') return [`${file}: a raw image of ${image.bytes} bytes, exactly ${expected}`];
  const lines = [
    `${file}: ${image.bytes} bytes, whole 512-byte sectors`,
    `vhd footer: cookie and checksum, announces ${expected}`,
  ];
  if (image.vhdType === 'fixed') lines.push('fixed vhd: the data before the footer is exactly the disk size');
  else {
    lines.push(
      'dynamic vhd: the copy of the footer at the start matches the footer; dynamic header cookie and checksum',
      `dynamic vhd: block table read, ${image.blocks} allocated blocks inside the data area, none overlapping`,
    );
  }
  return lines;
}

function base(paths: typeof posix, folder: string, contents: FolderContents | undefined, kind: BackupKind | undefined) {
  const file = contents?.exportFile;
  return {
    folder,
    vm: contents?.vm ?? paths.basename(paths.dirname(folder)),
    ...(kind ? { kind } : {}),
    ...(file ? { exportFile: { name: file.name, bytes: file.bytes } } : {}),
    success: (contents?.successMarkers.length ?? 0) > 0,
  };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Checks one backup folder; never rejects: an unreadable folder is a result of its own, and so
 * is an interrupted check (`signal`: SIGINT/SIGTERM), result `error`.
 */
export async function verifyFolder(host: Host, folder: string, signal?: AbortSignal): Promise<FolderVerification> {
  const paths = pathsOf(host);
  const path = folder.length > 1 ? folder.replace(host.pathSyntax === 'win32' ? /[\\/]+$/ : /\/+$/, '') : folder;
  let contents: FolderContents;
  try {
    const info = await host.stat(path);
    if (!info)
      return { ...base(paths, folder, undefined, undefined), result: 'error', checked: [], error: 'no such folder' };
    if (!info.isDirectory) {
      const error = 'not a folder (give the backup folder, e.g. .../<vm>/backup-2016-01-29-(10:33:49))';
      return { ...base(paths, folder, undefined, undefined), result: 'error', checked: [], error };
    }
    contents = await readFolder(host, path);
  } catch (error) {
    return { ...base(paths, folder, undefined, undefined), result: 'error', checked: [], error: message(error) };
  }
  const file = contents.exportFile;
  if (!file) {
    const damage = 'no export file (<vm>.xva, .xva.gz, .xva.zst, .raw or .vhd) in the folder';
    return { ...base(paths, folder, contents, undefined), result: 'damaged', checked: [], damage };
  }
  const filePath = paths.join(path, file.name);
  const read = { bytes: 0 };
  let kind: BackupKind | undefined;
  try {
    const found = await backupKind(host, contents, signal);
    kind = found;
    let spec: ArchiveSpec;
    let virtualSize: { bytes: number; source: string } | undefined;
    if (kind === 'raw' || kind === 'vhd') {
      virtualSize = await bootDiskSize(host, contents);
      if (!virtualSize) {
        const damage =
          `${file.name}: the disk's virtual size is not recorded (no DISK-xvda/vdi.cfg with virtual_size), ` +
          'so the image cannot be proven complete';
        return { ...base(paths, folder, contents, kind), result: 'damaged', checked: [], damage };
      }
      spec = { kind, virtualSize: virtualSize.bytes };
    } else spec = { kind: 'xva', compression: COMPRESSION[found!] ?? 'none', metadataOnly: found === 'metadata' };
    const summary = await checkArchive(counting(host.readStream(filePath), read, signal), spec);
    const checked = virtualSize ? imageLines(file.name, summary, virtualSize) : xvaLines(file.name, found!, summary);
    return { ...base(paths, folder, contents, kind), result: 'good', checked };
  } catch (error) {
    if (error instanceof ArchiveDamage) {
      const where = `(found after reading ${read.bytes} of the file's ${file.bytes} bytes)`;
      const damage = `${file.name}: ${error.message} ${where}`;
      return { ...base(paths, folder, contents, kind), result: 'damaged', checked: [], damage };
    }
    return {
      ...base(paths, folder, contents, kind),
      result: 'error',
      checked: [],
      error: `${file.name}: ${message(error)}`,
    };
  }
}
