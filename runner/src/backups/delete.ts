// `vmbackup delete BACKUP_FOLDER...`: removes backup folders by hand, locally or through the
// ssh transport, under the one rule of deletion.ts. The rule is decided on the VM folder as it
// is on disk now (its success markers), while holding the run lock of backup_dir, so a run
// cannot be writing or pruning the same VM folder at the same time.
import type { Host, HostLock } from '../host/types';
import { LOCK_FILE, pathsOf } from '../backup/layout';
import { readBackupFolders } from '../backup/retention';
import { verifyFolder } from './check';
import { backupFolderPath, deletionRefusal, newestGoodFolder, type DeletionCandidate } from './deletion';
import { BACKUPS_JSON_VERSION, type DeleteReport, type FolderDeletion } from './types';

export interface DeleteOptions {
  backupDir: string;
  folders: readonly string[];
  dryRun: boolean;
  signal?: AbortSignal;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function deleteOne(host: Host, given: string, options: DeleteOptions): Promise<FolderDeletion> {
  const where = backupFolderPath(pathsOf(host), options.backupDir, given);
  if ('refused' in where) return { folder: given, result: 'refused', reason: where.refused };
  const { vm, vmDir, folder, path } = where.ok;
  try {
    const info = await host.stat(path);
    if (!info?.isDirectory)
      return { folder: given, vm, result: 'error', reason: `no such backup folder on ${host.description}` };
    const backups: DeletionCandidate[] = (await readBackupFolders(host, vmDir)).map((f) => ({
      folder: f.name,
      success: f.successful,
      verified: { state: 'unverified' },
    }));
    let refusal = deletionRefusal({ vm, backups }, folder);
    let damage: string | undefined;
    if (refusal !== undefined && newestGoodFolder({ backups }) === folder) {
      // Only a damage the archive check proves lets the newest good backup go.
      const check = await verifyFolder(host, path, options.signal);
      if (check.result === 'damaged') {
        damage = check.damage;
        backups.find((b) => b.folder === folder)!.verified = { state: 'damaged' };
        refusal = deletionRefusal({ vm, backups }, folder);
      }
    }
    if (refusal !== undefined) return { folder: given, vm, result: 'refused', reason: refusal };
    const reason = damage !== undefined ? { reason: `damaged: ${damage}` } : {};
    if (options.dryRun) return { folder: given, vm, result: 'would-delete', ...reason };
    await host.remove(path);
    return { folder: given, vm, result: 'deleted', ...reason };
  } catch (error) {
    return { folder: given, vm, result: 'error', reason: message(error) };
  }
}

/** Deletes (or with dryRun only judges) each folder in turn; never rejects. */
export async function deleteBackups(host: Host, options: DeleteOptions): Promise<DeleteReport> {
  const folders: FolderDeletion[] = [];
  let lock: HostLock | undefined;
  let busy: string | undefined;
  const backupDir = pathsOf(host).normalize(options.backupDir);
  if (!options.dryRun) {
    try {
      lock = await host.lock(pathsOf(host).join(backupDir, LOCK_FILE));
    } catch (error) {
      busy = `nothing deleted: ${message(error)}`;
    }
  }
  try {
    for (const given of options.folders) {
      if (busy !== undefined) folders.push({ folder: given, result: 'refused', reason: busy });
      else if (options.signal?.aborted)
        folders.push({ folder: given, result: 'error', reason: 'not deleted: interrupted' });
      else folders.push(await deleteOne(host, given, options));
    }
  } finally {
    await lock?.release();
  }
  const count = (...results: string[]) => folders.filter((f) => results.includes(f.result)).length;
  const summary = { deleted: count('deleted', 'would-delete'), refused: count('refused'), errors: count('error') };
  return {
    type: 'backup-delete',
    version: BACKUPS_JSON_VERSION,
    host: host.description,
    backupDir,
    dryRun: options.dryRun,
    folders,
    summary,
    exitCode: summary.errors > 0 ? 2 : summary.refused > 0 ? 1 : 0,
  };
}

/** The readable report: one line a folder, then the summary. */
export function renderDeleteReport(report: DeleteReport): string {
  const verb = report.dryRun ? 'would delete' : 'deleted';
  const lines = report.folders.map((f) => {
    const word = f.result === 'would-delete' ? 'WOULD DELETE' : f.result.toUpperCase();
    return `${word.padEnd(12)} ${JSON.stringify(f.folder)}${f.reason ? `\n             ${f.reason}` : ''}`;
  });
  const { deleted, refused, errors } = report.summary;
  lines.push(
    `${report.host}, backup_dir ${report.backupDir}: ${verb} ${deleted}, refused ${refused}, errors ${errors}`,
  );
  return `${lines.join('\n')}\n`;
}
