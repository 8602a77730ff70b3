// Retention, safer than the original: only folders named like backups
// (`backup-YYYY-MM-DD-(hh:mm:ss)`) are counted and deleted, and the newest successful
// backup is never deleted. Pure planning functions plus one applier.
import type { Host } from '../host/types';
import { isBackupFolderName, join, SUCCESS_MARKERS } from './layout';

export interface BackupFolder {
  name: string;
  successful: boolean;
}

/** Oldest-first folders to delete so that at most `keep` backups remain (and at least one). */
export function foldersToDelete(folders: readonly BackupFolder[], keep: number): string[] {
  const sorted = [...folders].filter((f) => isBackupFolderName(f.name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const newestSuccessful = [...sorted].reverse().find((f) => f.successful)?.name;
  const remove: string[] = [];
  let count = sorted.length;
  for (const folder of sorted) {
    if (count <= keep || count <= 1) break;
    if (folder.name === newestSuccessful) continue;
    remove.push(folder.name);
    count--;
  }
  return remove;
}

/** The original's "last backup failed" rule: more than one backup and the newest has no marker. */
export function lastFailedFolder(folders: readonly BackupFolder[]): string | undefined {
  const sorted = folders.filter((f) => isBackupFolderName(f.name)).map((f) => f).sort((a, b) => (a.name < b.name ? -1 : 1));
  if (sorted.length <= 1) return undefined;
  const newest = sorted[sorted.length - 1]!;
  return newest.successful ? undefined : newest.name;
}

/** The backup folders of one VM with their success state. */
export async function readBackupFolders(host: Host, vmDir: string): Promise<BackupFolder[]> {
  const entries = await host.list(vmDir);
  const folders = entries.filter((e) => e.isDirectory && isBackupFolderName(e.name));
  return Promise.all(
    folders.map(async (f) => {
      const inside = await host.list(join(vmDir, f.name));
      const names = new Set(inside.map((e) => e.name));
      return { name: f.name, successful: SUCCESS_MARKERS.some((m) => names.has(m)) };
    }),
  );
}
