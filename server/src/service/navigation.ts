// Go to Definition / Find References / Rename inside and across configs, pure functions of
// (document context, the workspace's configs, pool snapshot):
// - on a repeated setting, Definition goes to its first line (the one the original chokes on);
// - on a selection or exclude, Definition and References list every line, in every config,
//   that backs up the VM(s) it names (with a pool: the runner's plan of each config; without:
//   plain names by equality, regexes by matching);
// - Rename on a plain VM name changes that name in every config (text only; the VM in the pool
//   keeps its name).
import type { Location, Position, Range, WorkspaceEdit } from 'vscode-languageserver';
import { getKeySpec, isPlainName } from '../../../runner/src/config';
import type { EntryLine } from '../../../runner/src/config/types';
import type { FeatureContext } from './context';
import { linesBackingUp, renameVmEdits, toLocations, type WorkspaceConfig } from './workspace';
import { selectorForVm } from './vmNames';

function entryAt(context: FeatureContext, position: Position): EntryLine | undefined {
  const node = context.analysis.config.lines[position.line];
  return node?.kind === 'entry' ? node : undefined;
}

/** The VM names a selection or exclude line is about. */
function vmNamesOf(context: FeatureContext, entry: EntryLine): string[] {
  const pattern = entry.key === 'exclude' ? entry.value : entry.name;
  if (pattern !== '' && isPlainName(pattern)) return [pattern];
  const outcome = context.selection.outcomeAt.get(entry.line);
  return outcome ? [...new Set(outcome.matched)] : [];
}

function inValue(entry: EntryLine, position: Position): boolean {
  return position.character >= entry.equalsRange.end.character;
}

/** Same configs list with this document's current text in it (open documents win). */
function withSelf(context: FeatureContext, configs: readonly WorkspaceConfig[]): WorkspaceConfig[] {
  return [{ uri: context.uri, config: context.analysis.config }, ...configs.filter((c) => c.uri !== context.uri)];
}

function vmLocations(context: FeatureContext, entry: EntryLine, configs: readonly WorkspaceConfig[]): Location[] {
  const all = withSelf(context, configs);
  const seen = new Set<string>();
  const out: Location[] = [];
  for (const name of vmNamesOf(context, entry)) {
    for (const location of toLocations(linesBackingUp(all, name, context.pool.inventory))) {
      const key = `${location.uri}#${location.range.start.line}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(location);
    }
  }
  return out;
}

export function definition(
  context: FeatureContext,
  position: Position,
  configs: readonly WorkspaceConfig[],
): Location[] {
  const entry = entryAt(context, position);
  if (!entry) return [];
  const spec = getKeySpec(entry.key);
  if (spec?.kind === 'scalar') {
    const first = context.analysis.config.entries.find((e) => e.key === entry.key);
    return first && first.line !== entry.line ? [{ uri: context.uri, range: first.keyRange }] : [];
  }
  if (!spec || !inValue(entry, position)) return [];
  return vmLocations(context, entry, configs);
}

export function references(
  context: FeatureContext,
  position: Position,
  configs: readonly WorkspaceConfig[],
): Location[] {
  const entry = entryAt(context, position);
  const spec = entry && getKeySpec(entry.key);
  if (!entry || !spec) return [];
  if (spec.kind === 'scalar') {
    return context.analysis.config.entries
      .filter((e) => e.key === entry.key)
      .map((e) => ({ uri: context.uri, range: e.keyRange }));
  }
  return inValue(entry, position) ? vmLocations(context, entry, configs) : [];
}

/** Rename works on a plain VM name in a selection or exclude. */
export function prepareRename(
  context: FeatureContext,
  position: Position,
): { range: Range; placeholder: string } | null {
  const entry = entryAt(context, position);
  const spec = entry && getKeySpec(entry.key);
  if (!entry || !spec || spec.kind === 'scalar' || !inValue(entry, position)) return null;
  const pattern = entry.key === 'exclude' ? entry.value : entry.name;
  if (pattern === '' || !isPlainName(pattern)) return null;
  return { range: entry.key === 'exclude' ? entry.valueRange : entry.nameRange, placeholder: pattern };
}

export function rename(
  context: FeatureContext,
  position: Position,
  newName: string,
  configs: readonly WorkspaceConfig[],
): WorkspaceEdit | null {
  const target = prepareRename(context, position);
  if (!target || newName === '' || /[\r\n]/.test(newName)) return null;
  // A new name that is no plain name is written as the exact-match regex of that name.
  return renameVmEdits(withSelf(context, configs), target.placeholder, selectorForVm(newName));
}
