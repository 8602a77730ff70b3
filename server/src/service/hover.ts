// Hover: on a key its documentation, default and effective value; on a selection or exclude
// line what it selects from the pool (see selectionHover.ts).
import { MarkupKind, type Hover, type Position } from 'vscode-languageserver';
import { getKeySpec, ORIGINAL_KEYS } from 'vmbackup-runner/config';
import { suggestKey } from 'vmbackup-runner/config';
import type { EntryLine } from 'vmbackup-runner/config';
import type { FeatureContext } from './context';
import { selectionHover } from './selectionHover';
import { code } from './vmNames';

function contains(entry: EntryLine, position: Position): boolean {
  return position.line === entry.line;
}

function effectiveLine(context: FeatureContext, entry: EntryLine): string {
  const origin = context.analysis.effective.origins[entry.key];
  const spec = getKeySpec(entry.key);
  if (spec?.kind !== 'scalar') return '';
  if (!origin) return `Effective value: ${code(spec.default ?? '(none)')} (default).`;
  if (!origin.valid)
    return (
      `Effective value: ${code(spec.default ?? '(none)')}, the default, because ${code(origin.raw)} on line ` +
      `${origin.line + 1} is invalid.`
    );
  const where = origin.line === entry.line ? 'this line' : `line ${origin.line + 1} (a later line wins)`;
  return `Effective value: ${code(origin.raw)}, set on ${where}.`;
}

function keyHover(context: FeatureContext, entry: EntryLine): string {
  const spec = getKeySpec(entry.key);
  if (!spec) {
    const suggestion = suggestKey(entry.key, ORIGINAL_KEYS);
    return [
      `**${entry.key}** is not a VmBackup key (keys are case-sensitive).`,
      'The original stops with `unexpected config key` unless run with `ignore_extra_keys=true`.',
      suggestion ? `Did you mean ${code(suggestion)}?` : '',
    ]
      .filter(Boolean)
      .join('\n\n');
  }
  const head =
    `**${spec.key}**${spec.default !== undefined ? ` — default ${code(spec.default)}` : ''}` +
    `${spec.allowed ? ` — one of ${spec.allowed.map(code).join(', ')}` : ''}`;
  const origin = spec.extension
    ? '*vmbackup extension key*: the original VmBackup.py rejects it' +
      `${context.settings.compatibility === 'original' ? ' (compatibility mode "original" is on)' : ''}.`
    : `Since VmBackup ${spec.since}.`;
  return [head, spec.doc, effectiveLine(context, entry), origin].filter(Boolean).join('\n\n');
}

export function hover(context: FeatureContext, position: Position): Hover | null {
  const node = context.analysis.config.lines[position.line];
  if (node?.kind !== 'entry' || !contains(node, position)) return null;
  const spec = getKeySpec(node.key);
  let markdown: string;
  if (spec && spec.kind !== 'scalar') {
    markdown = selectionHover(context, node, position.character < node.equalsRange.end.character);
  } else {
    markdown = keyHover(context, node);
  }
  return { contents: { kind: MarkupKind.Markdown, value: markdown }, range: node.range };
}
