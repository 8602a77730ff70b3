// Code lens over the first selection ("N VMs selected · Run Preview") and inlay hints after
// each selection and exclude line ("→ 3 VMs").
import { InlayHintKind, type CodeLens, type InlayHint, type Range } from 'vscode-languageserver';
import { RUN_PREVIEW_COMMAND } from '../protocol';
import type { FeatureContext } from './context';
import { entryRole } from './symbols';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The errors of the file: what makes the runner refuse it or fail (errors are never suppressed
 * or lowered, so the raw list is what the user sees). Only lines the plan still describes.
 */
function errorCount(context: FeatureContext): number {
  const pool = context.selection.diagnostics.filter((d) => context.selectionValidAt(d.range.start.line));
  return [...context.analysis.configDiagnostics, ...pool].filter((d) => d.severity === 'error').length;
}

export function codeLenses(context: FeatureContext): CodeLens[] {
  const first = context.analysis.config.entries.find((e) => entryRole(e) === 'selection');
  if (!first) return [];
  const plan = context.selection.plan;
  const stale = context.pool.status.state === 'stale' ? ' (cached pool data)' : '';
  const errors = errorCount(context);
  // A count of VMs on a file the runner refuses would promise a backup that does not happen.
  const title = errors > 0
    ? `✖ ${plural(errors, 'error')}: the run would fail · Run Preview`
    : plan ? `${plural(context.selection.selectedCount, 'VM')} selected${stale} · Run Preview` : 'Run Preview';
  return [{ range: first.range, command: { title, command: RUN_PREVIEW_COMMAND, arguments: [context.uri] } }];
}

export function inlayHints(context: FeatureContext, range: Range): InlayHint[] {
  const selection = context.selection;
  if (!selection.plan) return [];
  const hints: InlayHint[] = [];
  for (const entry of context.analysis.config.entries) {
    if (entry.line < range.start.line || entry.line > range.end.line || !context.selectionValidAt(entry.line)) continue;
    const role = entryRole(entry);
    if (role === 'setting') continue;
    const outcome = selection.outcomeAt.get(entry.line);
    if (!outcome) continue;
    let label: string;
    if (role === 'exclude') {
      const removed = selection.plan.excluded.filter((e) => e.line === entry.line).length;
      label = `→ excludes ${plural(removed, 'VM')}`;
    } else {
      const kept = selection.plannedBy.get(entry.line)?.length ?? 0;
      const matched = new Set(outcome.matched).size;
      label = `→ ${plural(kept, 'VM')}${matched > kept ? ` (${matched - kept} lost)` : ''}`;
    }
    if (outcome.status === 'invalid-regex') label = '→ invalid regex';
    else if (outcome.status === 'regex-too-expensive') label = '→ regex too expensive';
    else if (outcome.status === 'ignored-empty' || outcome.status === 'ignored-no-vms') label = '→ ignored';
    hints.push({
      position: { line: entry.line, character: entry.text.length },
      label,
      kind: InlayHintKind.Parameter,
      paddingLeft: true,
      tooltip: 'What this line does with the current pool (hover the line for the VMs).',
    });
  }
  return hints;
}
