// Refactoring "convert regex to explicit list": replaces a regex selection or exclude by one
// line per VM it matches in the pool right now, each written to match exactly that VM (and
// keeping the line's `:N`), so that later pool changes no longer change what is backed up.
import { CodeActionKind, type CodeAction, type Range } from 'vscode-languageserver';
import { isPlainName } from 'vmbackup-runner/config';
import type { FeatureContext } from './context';
import { entryRole } from './symbols';
import { selectorForVm } from './vmNames';

export function regexToListActions(context: FeatureContext, range: Range): CodeAction[] {
  const actions: CodeAction[] = [];
  const { config } = context.analysis;
  for (let line = range.start.line; line <= range.end.line; line++) {
    const entry = config.lines[line];
    if (entry?.kind !== 'entry' || entryRole(entry) === 'setting' || !context.selectionValidAt(line)) continue;
    const pattern = entry.key === 'exclude' ? entry.value : entry.name;
    if (pattern === '' || isPlainName(pattern)) continue;
    const outcome = context.selection.outcomeAt.get(line);
    if (outcome?.status !== 'matched') continue;
    const names = [...new Set(outcome.matched)];
    const suffix = entry.key === 'exclude' || !entry.suffix ? '' : `:${entry.suffix.text}`;
    const lines = names.map((name) => `${entry.key}=${selectorForVm(name)}${suffix}`);
    actions.push({
      title: `Convert regex to explicit list of the ${names.length} VM${names.length === 1 ? '' : 's'} it matches now`,
      kind: CodeActionKind.RefactorRewrite,
      edit: { changes: { [context.uri]: [{ range: entry.range, newText: lines.join(config.eol) }] } },
    });
  }
  return actions;
}
