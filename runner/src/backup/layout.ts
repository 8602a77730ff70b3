// Names and paths of the backup layout (vmbackup-behaviour.md §6). Restores and monitoring
// scripts read these, so they must stay exactly as the original writes them.
import { posix, win32 } from 'node:path';
import type { CompressMode } from '../config/types';
import type { Host, NameRules } from '../host/types';
import { caseTwinOnWindows, windowsNameReason } from './windows-names';

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * `backup-2016-01-29-(10:33:49)`, the original's BACKUP_DIR_PATTERN, in UTC. The original
 * uses the pool host's local time; the runner may run elsewhere (a laptop over ssh, cron under
 * another TZ), and retention orders folders by their date, so the name must not depend on the
 * runner's time zone (docs/compatibility.md). On a Windows disk, where `:` cannot be part of a
 * name, `backup-2016-01-29-(10-33-49)`.
 */
export function backupFolderName(date: Date, rules: NameRules = 'posix'): string {
  const separator = rules === 'windows' ? '-' : ':';
  const time = [date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()].map((n) => pad(n)).join(separator);
  return `backup-${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}-(${time})`;
}

/** Both forms; the time's two separators are the same character. */
const BACKUP_FOLDER = /^backup-(\d{4})-(\d{2})-(\d{2})-\((\d{2})([:-])(\d{2})\5(\d{2})\)$/;

/** Only folders named like this (either form) are ever counted or deleted by retention. */
export function isBackupFolderName(name: string): boolean {
  return BACKUP_FOLDER.test(name);
}

/** The name's 14 digits, `YYYYMMDDhhmmss`: ordered as the dates they write, whatever the form. */
function dateDigits(name: string): string {
  const match = BACKUP_FOLDER.exec(name);
  return match ? [1, 2, 3, 4, 6, 7].map((i) => match[i]).join('') : '';
}

/**
 * Backup folders oldest first by the date their name holds. A folder of the original's form
 * and one of the Windows form can share a VM folder (a backup_dir written from both kinds of
 * machine); their raw names do not sort by date (`-` sorts before `:`), so they are never
 * compared as names, except to order two folders of the same second.
 */
export function compareBackupFolders(a: string, b: string): number {
  return order(dateDigits(a), dateDigits(b)) || order(a, b);
}

const order = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);

/** `pool_db_20160129-103349.dump`, in UTC like the backup folders. */
export function poolDumpName(date: Date): string {
  return `pool_db_${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}-${pad(
    date.getUTCHours(),
  )}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}.dump`;
}

export const SUCCESS_MARKERS = ['success', 'success_restore', 'success_compress', 'success_compressing'] as const;

/** Files above 60 GiB get `success_compress` (the original's NFS-side compression hook). */
export const LARGE_FILE_BYTES = 60 * 1024 ** 3;

export function exportFileName(vm: string, kind: 'vm-export' | 'metadata-export', compress: CompressMode): string;
export function exportFileName(vm: string, kind: 'vdi-export', format: 'raw' | 'vhd'): string;
export function exportFileName(vm: string, kind: string, mode: string): string {
  if (kind === 'vdi-export') return `${vm}.${mode}`;
  if (kind === 'metadata-export') return `${vm}.xva`;
  return mode === 'gzip' ? `${vm}.xva.gz` : mode === 'zstd' ? `${vm}.xva.zst` : `${vm}.xva`;
}

/** The writability probe the original touches and removes in backup_dir. */
export const WRITE_TEST_FILE = '00VMbackupWriteTest';
/** The run lock in backup_dir, and the guard folder of a stale-lock takeover (host/lock.ts). */
export const LOCK_FILE = '.vmbackup.lock';
const RESERVED_NAMES = [WRITE_TEST_FILE, LOCK_FILE, `${LOCK_FILE}.takeover`].map((n) => n.toLowerCase());

/**
 * Why a VM name cannot be a folder name, or undefined when it can. Names are hostile input:
 * a `/` or `..` would write outside the backup directory, and a VM folder named like the
 * write probe or the lock would break every later run. Compared without case: backup_dir may
 * be on a case-insensitive share.
 */
export function unsafeFolderReason(name: string, rules: NameRules = 'posix'): string | undefined {
  if (RESERVED_NAMES.includes(name.toLowerCase())) {
    const use = JSON.stringify(name);
    return `the VM name '${name}' is reserved: vmbackup uses ${use} in the backup directory itself; rename the VM`;
  }
  if (name === '' || name === '.' || name === '..') return `the VM name '${name}' cannot be used as a folder name`;
  if (name.includes('/')) return `the VM name contains '/', which cannot be part of a folder name`;
  if (name.includes('\0')) return 'the VM name contains a NUL character';
  const lineBreak = lineBreakReason(name, 'VM');
  if (lineBreak) return lineBreak;
  if (Buffer.byteLength(name) > 240) return 'the VM name is too long for a file name';
  return rules === 'windows' ? windowsNameReason(name) : undefined;
}

/**
 * Why the VM cannot be backed up under its name on this target, or undefined: unsafeFolderReason,
 * and on a Windows disk another VM of the pool (`poolNames`) whose name differs only in case.
 */
export function vmNameRefusal(
  name: string,
  rules: NameRules = 'posix',
  poolNames: readonly string[] = [],
): string | undefined {
  const unsafe = unsafeFolderReason(name, rules);
  if (unsafe !== undefined || rules !== 'windows') return unsafe;
  const twin = caseTwinOnWindows(name, poolNames);
  if (twin === undefined) return undefined;
  return (
    `the VM name '${name}' differs only in case from the VM '${twin}': a Windows disk does not tell them apart, ` +
    "so their backups would share one folder (and retention would delete the other VM's); rename one"
  );
}

/**
 * Why a name `xe` cannot carry, or undefined. The real xe sends its arguments to the host as
 * lines (ocaml/xe-cli/newcli.ml joins them with "\n"; the server splits them and drops a
 * trailing "\r"), so `new-name-label=RESTORE_a\nb` would name the snapshot `RESTORE_a` and
 * hand the host a stray parameter `b`.
 */
export function lineBreakReason(name: string, what: 'VM' | 'disk'): string | undefined {
  if (!/[\n\r]/.test(name)) return undefined;
  return (
    `the ${what} name ${JSON.stringify(name)} contains a line break (\\n or \\r): ` +
    `xe passes its arguments to the host as lines, so the ${what} cannot be backed up under this name; rename it`
  );
}

export const join = posix.join;

/** The path functions of the host's target: win32 on a Windows machine's own disk, else POSIX. */
export function pathsOf(host: Pick<Host, 'pathSyntax'>): typeof posix {
  return host.pathSyntax === 'win32' ? win32 : posix;
}
