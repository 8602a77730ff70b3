// The original's settings block and selection lists (vmbackup-behaviour.md §4), line for
// line, without the `YYYY-MM-DD-(HH:MM:SS) - ` prefix that the logger adds.

import type { Settings } from '../config/types';
import type { SelectionPlan } from './types';

/** Python's sorted() on strings: by code point (JS sorts by UTF-16 code unit). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

function pythonBool(compress: Settings['compress']): string {
  if (compress === 'none') return 'False';
  if (compress === 'gzip') return 'True';
  return compress;
}

function listLines(label: string, items: string[]): string[] {
  const sorted = [...items].sort(compareCodePoints);
  // Python: log('  exclude: %s' % ', '.join(...)) - an empty list leaves the blank after ':'.
  return [`  ${label} (cnt)= ${items.length}`, `  ${label}: ${sorted.join(', ')}`];
}

/** The value as written in the file (`+3` stays `+3`, as Python prints the string). */
function written(settings: Settings, key: string, effective: string | number): string {
  const origin = settings.origins[key];
  return origin?.valid ? origin.raw : String(effective);
}

export function renderSettingsBlock(settings: Settings, plan: SelectionPlan): string[] {
  const lines = [
    'VmBackup.py running with these settings:',
    `  backup_dir        = ${settings.backupDir}`,
    `  status_log        = ${settings.statusLog}`,
    `  compress          = ${pythonBool(settings.compress)}`,
    `  max_backups       = ${written(settings, 'max_backups', settings.maxBackups)}`,
    `  vdi_export_format = ${settings.vdiExportFormat}`,
    `  pool_db_backup    = ${written(settings, 'pool_db_backup', settings.poolDbBackup)}`,
    ...listLines(
      'exclude',
      plan.excluded.flatMap((e) => new Array<string>(e.occurrences).fill(e.name)),
    ),
    ...listLines(
      'vdi-export',
      plan.vdiExport.map((v) => v.entry),
    ),
    ...listLines(
      'vm-export',
      plan.vmExport.map((v) => v.entry),
    ),
  ];
  // v3.2's metadata-export list is shown only when used, so v3.25 output stays identical.
  if (plan.metadataExport.length > 0)
    lines.push(
      ...listLines(
        'metadata-export',
        plan.metadataExport.map((v) => v.entry),
      ),
    );
  return lines;
}
