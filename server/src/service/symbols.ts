// Document symbols: three groups (settings, excludes, selections) so the outline reads like
// the preview's summary.
import { type DocumentSymbol, SymbolKind, type Range } from 'vscode-languageserver';
import type { EntryLine, ParsedConfig } from 'vmbackup-runner/config';

export const SELECTION_KEYS: ReadonlySet<string> = new Set(['vm-export', 'vdi-export', 'metadata-export']);

export type EntryRole = 'setting' | 'exclude' | 'selection';

export function entryRole(entry: EntryLine): EntryRole {
  if (entry.key === 'exclude') return 'exclude';
  return SELECTION_KEYS.has(entry.key) ? 'selection' : 'setting';
}

function group(name: string, kind: SymbolKind, children: DocumentSymbol[]): DocumentSymbol | undefined {
  if (children.length === 0) return undefined;
  const range: Range = { start: children[0].range.start, end: children[children.length - 1].range.end };
  return { name, kind, range, selectionRange: children[0].selectionRange, children, detail: `${children.length}` };
}

export function documentSymbols(config: ParsedConfig): DocumentSymbol[] {
  const byRole: Record<EntryRole, DocumentSymbol[]> = { setting: [], exclude: [], selection: [] };
  for (const entry of config.entries) {
    const role = entryRole(entry);
    const kind = role === 'setting' ? SymbolKind.Property : role === 'exclude' ? SymbolKind.Event : SymbolKind.Field;
    byRole[role].push({
      name: role === 'setting' ? entry.key : `${entry.key}=${entry.value}`,
      detail: role === 'setting' ? entry.value : undefined,
      kind,
      range: entry.range,
      selectionRange: role === 'setting' ? entry.keyRange : entry.valueRange,
    });
  }
  return [
    group('Settings', SymbolKind.Namespace, byRole.setting),
    group('Excludes', SymbolKind.Namespace, byRole.exclude),
    group('Selections', SymbolKind.Namespace, byRole.selection),
  ].filter((s): s is DocumentSymbol => s !== undefined);
}
