// The human output of `vmbackup list` and `vmbackup verify`. Names come from the disk and are
// hostile (a VM folder is named by its VM): control characters are shown as visible escapes.
import { formatBytes } from '../backup/units';
import { escapeControls } from '../backup/visible';
import type { BackupEntry, BackupListing, FolderVerification, RetentionBasis, VerifyReport } from './types';

function keeps(basis: RetentionBasis): string {
  switch (basis.kind) {
    case 'vm-suffix':
      return `keeps ${basis.maxBackups} (:${basis.maxBackups} on config line ${basis.line})`;
    case 'config':
      return `keeps ${basis.maxBackups} (max_backups of the config)`;
    case 'default':
      return `keeps ${basis.maxBackups} (the default max_backups: no config given)`;
    case 'not-selected':
      return 'not selected by the config: its next run deletes none of these';
  }
}

function verdict(entry: BackupEntry): string {
  if (entry.verified.state === 'good') return 'good';
  if (entry.verified.state === 'damaged') return 'DAMAGED';
  return 'unverified';
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => `  ${row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')}`.trimEnd());
}

export function renderListing(listing: BackupListing): string {
  const out = [`backup_dir ${escapeControls(listing.backupDir)} on ${listing.host}`, listing.retentionNote];
  if (!listing.verifiedAll)
    out.push('verified: not read (vmbackup list --verify, or vmbackup verify FOLDER, reads them)');
  for (const vm of listing.vms) {
    out.push('', `${escapeControls(vm.vm)}: ${vm.backups.length} backup(s), ${keeps(vm.retention)}`);
    if (vm.backups.length > 0) {
      const rows = [['DATE (UTC)', 'KIND', 'SIZE', 'SUCCESS', 'VERIFIED', 'NEXT RUN', 'FOLDER']];
      for (const b of vm.backups) {
        rows.push([
          b.date.replace('T', ' ').replace(/\.000Z$/, ''),
          b.kind ?? '-',
          formatBytes(b.bytes),
          b.success ? 'yes' : 'NO',
          verdict(b),
          b.deletedByNextRun ? `deletes (${b.deletedByNextRun})` : b.newestSuccessful ? 'keeps (newest good)' : 'keeps',
          escapeControls(b.folder),
        ]);
      }
      out.push(...table(rows));
    }
    for (const b of vm.backups) {
      if (b.verified.state === 'damaged')
        out.push(`  DAMAGED ${escapeControls(b.folder)}: ${escapeControls(b.verified.reason)}`);
    }
    if (vm.otherEntries.length > 0) {
      out.push(`  not backups (never counted or deleted): ${vm.otherEntries.map(escapeControls).join(', ')}`);
    }
  }
  if (listing.poolDumps.length > 0) {
    out.push('', `Pool database dumps: ${listing.poolDumpNote}`);
    const rows = [['DATE (UTC)', 'SIZE', 'FILE']];
    for (const dump of listing.poolDumps) {
      rows.push([
        dump.date?.replace('T', ' ').replace(/\.000Z$/, '') ?? '-',
        formatBytes(dump.bytes),
        escapeControls(`METADATA_${dump.host}/${dump.file}`),
      ]);
    }
    out.push(...table(rows));
  }
  return `${out.join('\n')}\n`;
}

function renderFolder(check: FolderVerification): string[] {
  const head = `${check.result === 'good' ? 'GOOD' : check.result === 'damaged' ? 'DAMAGED' : 'ERROR'} ${escapeControls(
    check.folder,
  )}`;
  const out = [head];
  if (check.kind)
    out.push(`  kind: ${check.kind}${check.success ? ', success marker present' : ', NO success marker'}`);
  for (const line of check.checked) out.push(`  checked ${escapeControls(line)}`);
  if (check.damage) out.push(`  damage: ${escapeControls(check.damage)}`);
  if (check.error) out.push(`  error: ${escapeControls(check.error)}`);
  return out;
}

export function renderVerifyReport(report: VerifyReport): string {
  const out = report.folders.flatMap(renderFolder);
  const { good, damaged, errors } = report.summary;
  out.push(`verify: ${good} good, ${damaged} damaged, ${errors} not readable (exit ${report.exitCode})`);
  return `${out.join('\n')}\n`;
}
