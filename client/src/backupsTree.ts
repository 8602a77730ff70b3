// The Backups view's content, from `vmbackup list --json` (vmbackup-runner/backups/types): per
// config its backup_dir, per VM its backups with date, kind, size, state (good, damaged,
// failed, unverified) and the "deleted by the next run" mark; and the rule that Delete never
// removes a VM's newest good backup. Pure (no `vscode` import): unit-tested; backupsView.ts
// renders it and runs the actions.
import { deletionRefusal } from 'vmbackup-runner/backups/deletion';
import { formatBytes } from './runReport';
import type {
  BackupEntry,
  BackupListing,
  DeletionReason,
  FolderVerification,
  PoolDump,
  VerifiedState,
  VmBackups,
} from 'vmbackup-runner/backups/types';

/** good: success marker and the archive check passed; failed: no success marker. */
export type BackupState = 'good' | 'damaged' | 'failed' | 'unverified';

export interface BackupItem {
  kind: 'backup';
  id: string;
  label: string;
  description: string;
  tooltip: string;
  state: BackupState;
  /** Codicon: the state's, or `trash` when the next run deletes the backup. */
  icon: string;
  /** Theme colour id of the icon. */
  color: string;
  /** `backup` plus `.deletable` when Delete is offered (menus match on it). */
  contextValue: string;
  /** The folder on the host (local path or path on the ssh target). */
  path: string;
  vm: string;
  configUri: string;
}

export type BackupsNode =
  | {
      kind: 'config';
      id: string;
      label: string;
      description: string;
      tooltip: string;
      uri: string;
      children: BackupsNode[];
    }
  | { kind: 'vm'; id: string; label: string; description: string; tooltip: string; children: BackupsNode[] }
  | BackupItem
  | { kind: 'dump'; id: string; label: string; description: string; tooltip: string; path: string }
  | { kind: 'message'; id: string; label: string; tooltip: string; error: boolean };

const DELETION_TEXT: Record<DeletionReason, string> = {
  'last-failed': 'deleted by the next run: the newest backup has no success marker',
  'pre-clean': 'deleted by the next run before its export (pre_clean)',
  retention: 'deleted by the next successful run (max_backups)',
};

/** `2026-01-29T10:33:49.000Z` -> `2026-01-29 10:33:49 UTC` (the folder names are UTC). */
export function formatDate(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

export function backupState(entry: Pick<BackupEntry, 'success' | 'verified'>): BackupState {
  if (entry.verified.state === 'damaged') return 'damaged';
  if (!entry.success) return 'failed';
  return entry.verified.state === 'good' ? 'good' : 'unverified';
}

const STATE_ICON: Record<BackupState, { icon: string; color: string; text: string }> = {
  good: { icon: 'pass', color: 'testing.iconPassed', text: 'good (verified)' },
  damaged: { icon: 'error', color: 'testing.iconFailed', text: 'DAMAGED' },
  failed: { icon: 'warning', color: 'list.warningForeground', text: 'failed (no success marker)' },
  unverified: { icon: 'circle-outline', color: 'disabledForeground', text: 'unverified' },
};

// Delete's rule is the runner's own (`vmbackup delete` applies it again on the disk as it is):
// never the newest backup with a success marker that no check proved damaged.
export { deletionRefusal, newestGoodFolder } from 'vmbackup-runner/backups/deletion';

/** A verify result as the listing's verified state (an I/O error proves nothing: unverified). */
export function verifiedFrom(result: FolderVerification): VerifiedState {
  if (result.result === 'good') return { state: 'good', checked: result.checked.join('; ') };
  if (result.result === 'damaged') return { state: 'damaged', reason: result.damage ?? 'damaged' };
  return { state: 'unverified' };
}

/** The listing with verify results applied (by folder path), so the tree shows the new verdicts. */
export function applyVerification(listing: BackupListing, results: readonly FolderVerification[]): BackupListing {
  const byPath = new Map(results.map((r) => [trimSlash(r.folder), r]));
  return {
    ...listing,
    vms: listing.vms.map((vm) => ({
      ...vm,
      backups: vm.backups.map((b) => {
        const result = byPath.get(trimSlash(b.path));
        return result ? { ...b, verified: verifiedFrom(result) } : b;
      }),
    })),
  };
}

function trimSlash(path: string): string {
  return path.replace(/\/+$/, '');
}

function backupItem(configUri: string, vm: VmBackups, entry: BackupEntry): BackupItem {
  const state = backupState(entry);
  const look = STATE_ICON[state];
  const deletable = deletionRefusal(vm, entry.folder) === undefined;
  const kind = entry.kind ?? 'no export file';
  const parts = [kind, formatBytes(entry.bytes), look.text];
  if (entry.deletedByNextRun) parts.push('deleted by next run');
  const tooltip = [
    `${vm.vm} — ${entry.folder}`,
    entry.path,
    `Kind: ${kind}${entry.exportFile ? ` (${entry.exportFile.name}, ${formatBytes(entry.exportFile.bytes)})` : ''}`,
    `Size: ${formatBytes(entry.bytes)}`,
    `Success marker: ${entry.successMarkers.length ? entry.successMarkers.join(', ') : 'none'}`,
    entry.verified.state === 'good'
      ? `Verified: ${entry.verified.checked}`
      : entry.verified.state === 'damaged'
        ? `Damaged: ${entry.verified.reason}`
        : 'Not verified yet (Verify reads the whole archive).',
  ];
  if (entry.deletedByNextRun) tooltip.push(`Retention: ${DELETION_TEXT[entry.deletedByNextRun]}.`);
  if (!deletable) tooltip.push('Newest good backup: kept (Delete is not offered).');
  return {
    kind: 'backup',
    id: `${configUri}\n${entry.path}`,
    label: formatDate(entry.date),
    description: parts.join(' · '),
    tooltip: tooltip.join('\n'),
    state,
    icon: entry.deletedByNextRun ? 'trash' : look.icon,
    color: look.color,
    contextValue: deletable ? 'backup.deletable' : 'backup',
    path: entry.path,
    vm: vm.vm,
    configUri,
  };
}

function retentionText(vm: VmBackups): string {
  switch (vm.retention.kind) {
    case 'vm-suffix':
      return `keeps ${vm.retention.maxBackups} (:${vm.retention.maxBackups} on line ${vm.retention.line})`;
    case 'config':
      return `keeps ${vm.retention.maxBackups} (max_backups)`;
    case 'default':
      return `keeps ${vm.retention.maxBackups} (default max_backups)`;
    case 'not-selected':
      return 'not backed up by this config';
  }
}

function vmNode(configUri: string, vm: VmBackups): BackupsNode {
  const good = vm.backups.filter((b) => backupState(b) === 'good').length;
  const bad = vm.backups.filter((b) => ['damaged', 'failed'].includes(backupState(b))).length;
  const counts = [`${vm.backups.length} backup${vm.backups.length === 1 ? '' : 's'}`];
  if (good) counts.push(`${good} verified`);
  if (bad) counts.push(`${bad} failed or damaged`);
  const tooltip = [vm.path, retentionText(vm)];
  if (vm.preClean) tooltip.push('pre_clean=true: old backups are deleted before the export.');
  if (vm.otherEntries.length) tooltip.push(`Other entries (never deleted by retention): ${vm.otherEntries.join(', ')}`);
  return {
    kind: 'vm',
    id: `${configUri}\n${vm.path}`,
    label: vm.vm,
    description: `${counts.join(', ')} · ${retentionText(vm)}`,
    tooltip: tooltip.join('\n'),
    // Newest first: the backup one restores is nearly always a recent one.
    children: [...vm.backups].reverse().map((b) => backupItem(configUri, vm, b)),
  };
}

function dumpNode(configUri: string, dump: PoolDump): BackupsNode {
  return {
    kind: 'dump',
    id: `${configUri}\n${dump.path}`,
    label: dump.date ? formatDate(dump.date) : dump.file,
    description: `pool database of ${dump.host} · ${formatBytes(dump.bytes)}`,
    tooltip: `${dump.path}\nRestoring a pool database is a manual step (xe pool-restore-database), never automatic.`,
    path: dump.path,
  };
}

export type ConfigNode = Extract<BackupsNode, { kind: 'config' }>;

/** The config's node: its VMs (by name), then its pool database dumps. */
export function configNode(configUri: string, configLabel: string, listing: BackupListing): ConfigNode {
  const children: BackupsNode[] = listing.vms.map((vm) => vmNode(configUri, vm));
  if (listing.poolDumps.length) {
    children.push({
      kind: 'vm',
      id: `${configUri}\npool-dumps`,
      label: 'Pool database dumps',
      description: `${listing.poolDumps.length}`,
      tooltip: listing.poolDumpNote,
      children: [...listing.poolDumps].reverse().map((d) => dumpNode(configUri, d)),
    });
  }
  if (children.length === 0) {
    children.push({
      kind: 'message',
      id: `${configUri}\nempty`,
      label: 'No backups yet',
      tooltip: `${listing.backupDir} holds no VM folder yet: the first backup run of this config creates them.`,
      error: false,
    });
  }
  return {
    kind: 'config',
    id: configUri,
    label: configLabel,
    description: listing.host === 'local' ? listing.backupDir : `${listing.backupDir} on ${listing.host}`,
    tooltip: `${listing.backupDir} (${listing.host})\n${listing.retentionNote}`,
    uri: configUri,
    children,
  };
}

/** A config whose listing failed: the runner's message under the config's name. */
export function failedConfigNode(configUri: string, configLabel: string, message: string): ConfigNode {
  return {
    kind: 'config',
    id: configUri,
    label: configLabel,
    description: 'cannot list backups',
    tooltip: message,
    uri: configUri,
    children: [{ kind: 'message', id: `${configUri}\nerror`, label: message, tooltip: message, error: true }],
  };
}

/** The item of this folder in a config's node (after a refresh or a verify). */
export function findBackup(nodes: readonly BackupsNode[], configUri: string, path: string): BackupItem | undefined {
  for (const node of nodes) {
    if (node.kind === 'backup' && node.configUri === configUri && node.path === path) return node;
    if ('children' in node) {
      const found = findBackup(node.children, configUri, path);
      if (found) return found;
    }
  }
  return undefined;
}
