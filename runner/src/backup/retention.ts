// Retention, safer than the original: only folders named like backups
// (`backup-YYYY-MM-DD-(hh:mm:ss)`, or `(hh-mm-ss)` as written on Windows) are counted and
// deleted, oldest first by the date in their name; failed folders go before any
// successful one (a restorable backup is never traded for an empty folder); the folder this
// run just made is never deleted, whatever its name sorts as (a folder named by a clock that
// was once wrong sorts "newer" forever); and the newest successful backup is never deleted.
// Pure planning functions plus one applier.
import type { Host } from '../host/types';
import { compareBackupFolders, isBackupFolderName, pathsOf, SUCCESS_MARKERS } from './layout';

export interface BackupFolder {
  name: string;
  successful: boolean;
}

const byDate = (a: BackupFolder, b: BackupFolder): number => compareBackupFolders(a.name, b.name);

/**
 * Folders to delete so that at most `keep` backups remain (and at least one): failed ones
 * oldest first, then successful ones oldest first. `current` is the folder this run made:
 * never deleted, and the newest backup whatever its name says.
 */
export function foldersToDelete(folders: readonly BackupFolder[], keep: number, current?: string): string[] {
  const sorted = folders.filter((f) => isBackupFolderName(f.name)).sort(byDate);
  const mine = sorted.find((f) => f.name === current);
  const newestSuccessful = mine?.successful ? mine.name : [...sorted].reverse().find((f) => f.successful)?.name;
  const candidates = [...sorted.filter((f) => !f.successful), ...sorted.filter((f) => f.successful)].filter(
    (f) => f.name !== current && f.name !== newestSuccessful,
  );
  const remove: string[] = [];
  let count = sorted.length;
  for (const folder of candidates) {
    if (count <= keep || count <= 1) break;
    remove.push(folder.name);
    count--;
  }
  return remove;
}

/**
 * The original's "last backup failed" rule: the newest backup (by date) without a success
 * marker is deleted before a new one is made. Unlike the original also when it is the only
 * folder: that is the partial folder of a killed run, never a backup.
 */
export function lastFailedFolder(folders: readonly BackupFolder[]): string | undefined {
  const sorted = folders.filter((f) => isBackupFolderName(f.name)).sort(byDate);
  const newest = sorted[sorted.length - 1];
  return newest === undefined || newest.successful ? undefined : newest.name;
}

/** The backup folders of one VM with their success state. */
export async function readBackupFolders(host: Host, vmDir: string): Promise<BackupFolder[]> {
  const entries = await host.list(vmDir);
  const folders = entries.filter((e) => e.isDirectory && isBackupFolderName(e.name));
  return Promise.all(
    folders.map(async (f) => {
      const inside = await host.list(pathsOf(host).join(vmDir, f.name));
      const names = new Set(inside.map((e) => e.name));
      return { name: f.name, successful: SUCCESS_MARKERS.some((m) => names.has(m)) };
    }),
  );
}

export interface NextRunDeletion {
  name: string;
  /** last-failed: before the run starts; pre-clean: before the export; retention: after success. */
  reason: 'last-failed' | 'pre-clean' | 'retention';
}

/**
 * What the next successful backup of this VM deletes, step by step as runJob (vmJob.ts) does
 * it: the newest folder when it failed (lastFailedFolder), then with pre_clean the retention
 * of one slot fewer before the export (`newFolder` not yet counted), then the retention of
 * `keep` with `newFolder` counted as the successful current backup (foldersToDelete).
 * `newFolder` is the name the run would give its folder (backupFolderName of its start).
 */
export function nextRunDeletions(
  folders: readonly BackupFolder[],
  keep: number,
  newFolder: string,
  preClean = false,
): NextRunDeletion[] {
  const deleted: NextRunDeletion[] = [];
  const failed = lastFailedFolder(folders);
  if (failed !== undefined) deleted.push({ name: failed, reason: 'last-failed' });
  let remaining = folders.filter((f) => f.name !== failed && f.name !== newFolder);
  if (preClean && keep - 1 >= 1) {
    const early = new Set(foldersToDelete(remaining, keep - 1));
    for (const name of early) deleted.push({ name, reason: 'pre-clean' });
    remaining = remaining.filter((f) => !early.has(f.name));
  }
  for (const name of foldersToDelete([...remaining, { name: newFolder, successful: true }], keep, newFolder)) {
    deleted.push({ name, reason: 'retention' });
  }
  return deleted;
}
