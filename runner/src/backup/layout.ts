// Names and paths of the backup layout (vmbackup-behaviour.md §6). Restores and monitoring
// scripts read these, so they must stay exactly as the original writes them.
import { posix } from 'node:path';
import type { CompressMode } from '../config/types';

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `backup-2016-01-29-(10:33:49)` (local time), the original's BACKUP_DIR_PATTERN. */
export function backupFolderName(date: Date): string {
  return `backup-${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}-(${pad(date.getHours())}:${pad(
    date.getMinutes(),
  )}:${pad(date.getSeconds())})`;
}

const BACKUP_FOLDER = /^backup-\d{4}-\d{2}-\d{2}-\(\d{2}:\d{2}:\d{2}\)$/;

/** Only folders named like this are ever counted or deleted by retention. */
export function isBackupFolderName(name: string): boolean {
  return BACKUP_FOLDER.test(name);
}

/** `pool_db_20160129-103349.dump`. */
export function poolDumpName(date: Date): string {
  return `pool_db_${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}-${pad(date.getHours())}${pad(
    date.getMinutes(),
  )}${pad(date.getSeconds())}.dump`;
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

/**
 * Why a VM name cannot be a folder name, or undefined when it can. Names are hostile input:
 * a `/` or `..` would write outside the backup directory.
 */
export function unsafeFolderReason(name: string): string | undefined {
  if (name === '' || name === '.' || name === '..') return `the VM name '${name}' cannot be used as a folder name`;
  if (name.includes('/')) return `the VM name contains '/', which cannot be part of a folder name`;
  if (name.includes('\0')) return 'the VM name contains a NUL character';
  const lineBreak = lineBreakReason(name, 'VM');
  if (lineBreak) return lineBreak;
  if (Buffer.byteLength(name) > 240) return 'the VM name is too long for a file name';
  return undefined;
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
