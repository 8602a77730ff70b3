// Which backup folder may be deleted by hand (`vmbackup delete`, the Backups view's Delete).
// One pure rule for both, so the command and the view cannot disagree: only folders named
// like backups, only inside backup_dir, never the run lock, and never the newest backup with
// a success marker that is not proven damaged (it may be the last restorable copy).
// Pure: the extension imports this file through `vmbackup-runner/backups/deletion`.
import type { posix } from 'node:path';
import { compareBackupFolders, isBackupFolderName, LOCK_FILE } from '../backup/layout';
import type { VerifiedState } from './types';

/** What the rule needs to know of one backup folder of the VM. */
export interface DeletionCandidate {
  folder: string;
  /** Any success marker exists. */
  success: boolean;
  /** `damaged` only when a check proved it; anything else counts as possibly good. */
  verified: Pick<VerifiedState, 'state'>;
}

export interface DeletionSubject {
  /** The VM folder's name, for messages. */
  vm: string;
  backups: readonly DeletionCandidate[];
}

/** The newest backup (by the date in its name) with a success marker that no check found damaged. */
export function newestGoodFolder(vm: Pick<DeletionSubject, 'backups'>): string | undefined {
  const good = vm.backups.filter((b) => b.success && b.verified.state !== 'damaged' && isBackupFolderName(b.folder));
  return good
    .map((b) => b.folder)
    .sort(compareBackupFolders)
    .at(-1);
}

/** Why this backup folder of the VM may not be deleted; undefined when it may. */
export function deletionRefusal(vm: DeletionSubject, folder: string): string | undefined {
  if (!isBackupFolderName(folder)) {
    return `${JSON.stringify(folder)} is not named like a backup folder (backup-YYYY-MM-DD-(hh:mm:ss)): never deleted`;
  }
  if (!vm.backups.some((b) => b.folder === folder)) return `${folder} is not a backup of ${vm.vm}.`;
  if (newestGoodFolder(vm) === folder) {
    return `${folder} is the newest good backup of ${vm.vm}: it is never deleted (it may be the last restorable copy).`;
  }
  return undefined;
}

/** Where a BACKUP_FOLDER path lies: `<backupDir>/<vm>/<folder>`. */
export interface BackupFolderPath {
  backupDir: string;
  vmDir: string;
  vm: string;
  folder: string;
  path: string;
}

/**
 * The path's parts when it names a backup folder directly inside a VM folder of `backupDir`;
 * else why it is refused. `paths`: the target's path functions (win32 on a Windows disk).
 */
export function backupFolderPath(
  paths: typeof posix,
  backupDir: string,
  given: string,
): { ok: BackupFolderPath } | { refused: string } {
  const trimmed = given.length > 1 ? given.replace(paths.sep === '\\' ? /[\\/]+$/ : /\/+$/, '') : given;
  const shown = JSON.stringify(given);
  const segments = trimmed.split(paths.sep === '\\' ? /[\\/]/ : '/');
  if (segments.some((s) => s === '.' || s === '..'))
    return { refused: `${shown}: a path with . or .. is never deleted` };
  const folder = paths.basename(trimmed);
  const vmDir = paths.dirname(trimmed);
  const vm = paths.basename(vmDir);
  const root = paths.normalize(backupDir).replace(/[\\/]+$/, '') || paths.sep;
  const inside = paths.normalize(paths.dirname(vmDir)).replace(/[\\/]+$/, '') || paths.sep;
  const sameDir = paths.sep === '\\' ? inside.toLowerCase() === root.toLowerCase() : inside === root;
  if (!sameDir || vm === '' || vmDir === trimmed) {
    return { refused: `${shown} is not a backup folder of backup_dir ${root} (${root}/<vm>/backup-...)` };
  }
  if ([folder, vm].some((n) => n.toLowerCase().startsWith(LOCK_FILE))) {
    return { refused: `${shown}: the run lock ${LOCK_FILE} is never deleted` };
  }
  if (vm.startsWith('METADATA_')) return { refused: `${shown}: pool database dumps are not backups of a VM` };
  if (!isBackupFolderName(folder)) {
    return { refused: `${shown}: ${JSON.stringify(folder)} is not named like a backup folder: never deleted` };
  }
  return { ok: { backupDir: root, vmDir, vm, folder, path: trimmed } };
}
