// Hover on a selection (vm-export, vdi-export, metadata-export) or exclude line.
import { getKeySpec, isPlainName } from '../../../runner/src/config';
import type { EntryLine } from '../../../runner/src/config/types';
import { explainPattern } from '../../../runner/src/pyre';
import type { FeatureContext } from './context';
import { code } from './vmNames';

function patternPart(entry: EntryLine): string {
  if (entry.name === '' && entry.key !== 'vm-export') return `An empty ${entry.key}= is ignored.`;
  if (entry.name === '') return 'An **empty** vm-export value is the empty regex: it selects **every VM** of the pool.';
  if (isPlainName(entry.name)) {
    return `${code(entry.name)} is a **plain name**: it selects only the VM named exactly ${code(entry.name)} (case-sensitive).`;
  }
  return `${code(entry.name)} is a **Python regex** matched from the start of the name only (a prefix match: it also selects longer names that start the same way).\n\n${explainPattern(entry.name)}`;
}

function offlineHint(context: FeatureContext): string {
  const status = context.pool.status;
  if (!status.url) return '*No pool configured.* Set `vmbackup.pool.url` and run **VmBackup: Set Pool Password** to see the VMs this line selects.';
  return `*Not connected to ${status.url}* (${status.message}) Run **VmBackup: Set Pool Password** or **VmBackup: Connect to Pool** to see the VMs this line selects.`;
}

export function selectionHover(context: FeatureContext, entry: EntryLine, onKey: boolean): string {
  const spec = getKeySpec(entry.key)!;
  const parts = [`**${entry.key}=${entry.value}**`, patternPart(entry)];
  if (!context.pool.inventory) parts.push(offlineHint(context));
  if (onKey) parts.push('---', spec.doc);
  return parts.join('\n\n');
}
