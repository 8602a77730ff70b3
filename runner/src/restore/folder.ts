// What a backup folder holds, read through the Host (local or ssh): which export it is, its
// file, its success marker and the metadata files the backup wrote beside it
// (vmbackup-behaviour.md §6). Nothing here changes the folder.
import { posix } from 'node:path';
import { TarStreamReader } from '../archive/tar-stream';
import { compareBackupFolders, isBackupFolderName, join, SUCCESS_MARKERS } from '../backup/layout';
import type { Host } from '../host/types';

export type BackupKind = 'vm-export' | 'vdi-export' | 'metadata-export';

export interface DiskConfig {
  /** The `DISK-<device>` folder's device part (`xvda`, or a counter). */
  device: string;
  vbd: Record<string, string>;
  vdi: Record<string, string>;
}

export interface BackupFolder {
  kind: BackupKind;
  /** The VM's name as the backup recorded it (the export file's name). */
  vm: string;
  folder: string;
  file: string;
  /** vm-export: how the .xva is compressed; vdi-export: the image format. */
  format: 'xva' | 'xva.gz' | 'xva.zst' | 'raw' | 'vhd';
  /** The success marker found (success, success_compress, ...), if any. */
  marker?: string;
  disks: DiskConfig[];
  /** vm-metadata.xml, when the backup wrote it. */
  metadataXml?: string;
}

export interface PoolDump {
  kind: 'pool-db';
  file: string;
}

/** Something that cannot be restored: the reason, for the log. */
export class NotABackup extends Error {
  override readonly name = 'NotABackup';
}

/** `key=value` lines of vbd.cfg / vdi.cfg (the values as the original printed them). */
export function parseCfg(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1).replace(/\r$/, '');
  }
  return out;
}

const EXPORT_FILE = /^(.*)\.(xva\.gz|xva\.zst|xva|raw|vhd)$/s;

/** True when the .xva holds ova.xml only: `xe vm-export metadata=true` (metadata-export). */
async function isMetadataOnly(host: Host, file: string): Promise<boolean> {
  let entries = 0;
  let other = false;
  const reader = new TarStreamReader({
    entry: (entry) => {
      entries++;
      if (entry.name !== 'ova.xml') other = true;
    },
    data: () => undefined,
    entryEnd: () => undefined,
  });
  // A full export's disk chunks follow ova.xml at once: stop reading at the first of them.
  for await (const chunk of host.readStream(file)) {
    reader.push(chunk);
    if (other) return false;
  }
  return entries > 0 && !other;
}

async function readDisks(host: Host, folder: string, names: string[]): Promise<DiskConfig[]> {
  const disks: DiskConfig[] = [];
  for (const name of names.filter((n) => n.startsWith('DISK-')).sort()) {
    const dir = join(folder, name);
    const read = async (file: string) =>
      (await host.exists(join(dir, file))) ? parseCfg((await host.readFile(join(dir, file))).toString('utf8')) : {};
    disks.push({ device: name.slice('DISK-'.length), vbd: await read('vbd.cfg'), vdi: await read('vdi.cfg') });
  }
  return disks;
}

/** A VM folder (`<backup_dir>/<vm>`) stands for its newest backup folder with a success marker. */
async function newestGoodBackup(host: Host, folder: string, names: string[]): Promise<string | undefined> {
  // Newest first by the date in the name (both forms: `(hh:mm:ss)`, `(hh-mm-ss)` from a Windows disk).
  const backups = names.filter(isBackupFolderName).sort(compareBackupFolders).reverse();
  for (const name of backups) {
    const inside = (await host.list(join(folder, name))).map((f) => f.name);
    if (SUCCESS_MARKERS.some((m) => inside.includes(m))) return join(folder, name);
  }
  return undefined;
}

export async function readBackupFolder(host: Host, path: string): Promise<BackupFolder | PoolDump> {
  const info = await host.stat(path);
  if (!info) throw new NotABackup(`${path} does not exist on ${host.description}`);
  if (!info.isDirectory) {
    if (/^pool_db_.*\.dump$/.test(posix.basename(path))) return { kind: 'pool-db', file: path };
    throw new NotABackup(`${path} is a file: give its backup folder (…/<vm>/backup-YYYY-MM-DD-(HH:MM:SS))`);
  }
  let folder = path.replace(/\/+$/, '') || '/';
  let names = (await host.list(folder)).map((f) => f.name);
  const dumps = names.filter((n) => /^pool_db_.*\.dump$/.test(n)).sort();
  if (dumps.length > 0 && posix.basename(folder).startsWith('METADATA_')) {
    return { kind: 'pool-db', file: join(folder, dumps[dumps.length - 1]!) };
  }
  if (!names.some((n) => EXPORT_FILE.test(n)) && names.some(isBackupFolderName)) {
    const newest = await newestGoodBackup(host, folder, names);
    if (!newest) throw new NotABackup(`${folder} holds no backup folder with a success marker`);
    folder = newest;
    names = (await host.list(folder)).map((f) => f.name);
  }
  const exports = names.filter((n) => EXPORT_FILE.test(n));
  if (exports.length === 0) {
    throw new NotABackup(`${folder} holds no export file (<vm>.xva, .xva.gz, .xva.zst, .raw or .vhd)`);
  }
  if (exports.length > 1) throw new NotABackup(`${folder} holds more than one export file: ${exports.join(', ')}`);
  const fileName = exports[0]!;
  const [, vm, ext] = EXPORT_FILE.exec(fileName)!;
  const file = join(folder, fileName);
  const format = ext as BackupFolder['format'];
  const kind: BackupKind =
    format === 'raw' || format === 'vhd'
      ? 'vdi-export'
      : format === 'xva' && (await isMetadataOnly(host, file))
        ? 'metadata-export'
        : 'vm-export';
  const marker = SUCCESS_MARKERS.find((m) => names.includes(m));
  const metadataXml = names.includes('vm-metadata.xml')
    ? (await host.readFile(join(folder, 'vm-metadata.xml'))).toString('utf8')
    : undefined;
  return {
    kind,
    vm: vm!,
    folder,
    file,
    format,
    ...(marker ? { marker } : {}),
    disks: await readDisks(host, folder, names),
    ...(metadataXml !== undefined ? { metadataXml } : {}),
  };
}
