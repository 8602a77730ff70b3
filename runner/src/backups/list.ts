// `vmbackup list`: every VM folder of backup_dir with its backups, the pool database dumps,
// and what the next run's retention deletes, computed by the engine's own rule
// (nextRunDeletions in backup/retention.ts) from the same success markers the engine reads.
import type { Host } from '../host/types';
import { backupFolderName, compareBackupFolders, isBackupFolderName, pathsOf } from '../backup/layout';
import { nextRunDeletions } from '../backup/retention';
import { verifyFolder } from './check';
import { backupKind, readFolder } from './folder';
import {
  BACKUPS_JSON_VERSION,
  type BackupEntry,
  type BackupKind,
  type BackupListing,
  type PoolDump,
  type RetentionBasis,
  type VerifiedState,
  type VmBackups,
} from './types';

export const POOL_DUMP_NOTE =
  'a pool database dump is restored by hand, never by vmbackup: xe pool-restore-database file-name=<dump> ' +
  '(add dry-run=true first; it replaces the whole pool database)';

export interface ListOptions {
  backupDir: string;
  /** The config file given, for the report. */
  config?: string;
  /** Where each VM folder's max_backups comes from (a config's selection, or the default). */
  retentionOf(vm: string): RetentionBasis;
  retentionNote: string;
  preClean: boolean;
  /** Read every export file to its end (the full check of `verify`). */
  verify: boolean;
  /** When the next run starts: names the folder it would make. */
  now: Date;
  /** The command's interruption (SIGINT/SIGTERM): stops reading files at once. */
  signal?: AbortSignal;
}

/** Both forms of isBackupFolderName: `(hh:mm:ss)`, and `(hh-mm-ss)` as written to a Windows disk. */
const FOLDER_DATE = /^backup-(\d{4})-(\d{2})-(\d{2})-\((\d{2})[:-](\d{2})[:-](\d{2})\)$/;
const DUMP_DATE = /^pool_db_(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})\.dump$/;

/** The UTC date a name holds, as ISO 8601; undefined when it names no real date. */
function dateOf(match: RegExpExecArray | null): string | undefined {
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  return date.getUTCDate() === day && date.getUTCMonth() === month - 1 && hour < 24 && minute < 60 && second < 60
    ? date.toISOString()
    : undefined;
}

async function listPoolDumps(host: Host, backupDir: string, folder: string): Promise<PoolDump[]> {
  const dir = pathsOf(host).join(backupDir, folder);
  const entries = await host.list(dir);
  return entries
    .filter((e) => !e.isDirectory && e.name.endsWith('.dump'))
    .map((e) => {
      const date = dateOf(DUMP_DATE.exec(e.name));
      return {
        host: folder.slice('METADATA_'.length),
        file: e.name,
        path: pathsOf(host).join(dir, e.name),
        ...(date ? { date } : {}),
        bytes: e.size,
      };
    });
}

async function listVm(host: Host, backupDir: string, vm: string, options: ListOptions): Promise<VmBackups> {
  const { join } = pathsOf(host);
  const path = join(backupDir, vm);
  const entries = await host.list(path);
  // Oldest first by the date in the name: the two forms' raw names do not sort by date.
  const folders = entries
    .filter((e) => e.isDirectory && isBackupFolderName(e.name))
    .sort((a, b) => compareBackupFolders(a.name, b.name));
  const backups: BackupEntry[] = [];
  for (const folder of folders) {
    const contents = await readFolder(host, join(path, folder.name));
    let verified: VerifiedState = { state: 'unverified' };
    let kind: BackupKind | undefined = contents.exportFile?.ending;
    if (options.verify) {
      const check = await verifyFolder(host, contents.path, options.signal);
      if (check.kind) kind = check.kind;
      if (check.result === 'good') verified = { state: 'good', checked: check.checked.join('; ') };
      else if (check.result === 'damaged') verified = { state: 'damaged', reason: check.damage! };
      else throw new Error(check.error);
    } else if (kind === 'xva') kind = await backupKind(host, contents, options.signal);
    const file = contents.exportFile;
    backups.push({
      folder: folder.name,
      path: contents.path,
      date: dateOf(FOLDER_DATE.exec(folder.name)) ?? '',
      ...(kind ? { kind } : {}),
      ...(file ? { exportFile: { name: file.name, bytes: file.bytes } } : {}),
      bytes: contents.bytes,
      successMarkers: contents.successMarkers,
      success: contents.successMarkers.length > 0,
      verified,
      newestSuccessful: false,
    });
  }
  const newestSuccessful = backups.filter((b) => b.success).at(-1);
  if (newestSuccessful) newestSuccessful.newestSuccessful = true;
  const retention = options.retentionOf(vm);
  if (retention.kind !== 'not-selected') {
    const state = backups.map((b) => ({ name: b.folder, successful: b.success }));
    // A name already taken (a backup made this very second) is not the run's: the engine waits
    // for the next second then (newBackupFolder in vmJob.ts).
    const taken = new Set(backups.map((b) => b.folder));
    let at = options.now.getTime();
    while (taken.has(backupFolderName(new Date(at), host.nameRules))) at += 1000;
    const newFolder = backupFolderName(new Date(at), host.nameRules);
    for (const deletion of nextRunDeletions(state, retention.maxBackups, newFolder, options.preClean)) {
      const entry = backups.find((b) => b.folder === deletion.name);
      if (entry) entry.deletedByNextRun = deletion.reason;
    }
  }
  return {
    vm,
    path,
    backups,
    retention,
    preClean: options.preClean,
    otherEntries: entries.filter((e) => !(e.isDirectory && isBackupFolderName(e.name))).map((e) => e.name),
  };
}

/** Reads backup_dir through the host; rejects when it (or a folder in it) cannot be read. */
export async function listBackups(host: Host, options: ListOptions): Promise<BackupListing> {
  const entries = await host.list(options.backupDir);
  const vms: VmBackups[] = [];
  const poolDumps: PoolDump[] = [];
  const otherEntries: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory) otherEntries.push(entry.name);
    else if (entry.name.startsWith('METADATA_'))
      poolDumps.push(...(await listPoolDumps(host, options.backupDir, entry.name)));
    else vms.push(await listVm(host, options.backupDir, entry.name, options));
  }
  return {
    type: 'backup-list',
    version: BACKUPS_JSON_VERSION,
    host: host.description,
    backupDir: options.backupDir,
    ...(options.config !== undefined ? { config: options.config } : {}),
    retentionNote: options.retentionNote,
    verifiedAll: options.verify,
    vms,
    poolDumps,
    poolDumpNote: POOL_DUMP_NOTE,
    otherEntries,
  };
}
