// Code actions: the runner's fix of every diagnostic under the cursor, the suppression
// comment for it, and "convert regex to the explicit list of VMs it matches now".
import { CodeActionKind, type CodeAction, type Range } from 'vscode-languageserver';
import type { ConfigDiagnostic } from '../../../runner/src/config/types';
import type { FeatureContext } from './context';
import { toLspDiagnostic } from './diagnostics';
import { suppressionEdit } from './suppression';
import { regexToListActions } from './regexToList';

/** Line-wise: a cursor anywhere on a line with a problem gets that problem's actions. */
function onSameLines(a: Range, b: Range): boolean {
  return a.start.line <= b.end.line && b.start.line <= a.end.line;
}

export function codeActions(context: FeatureContext, diagnostics: readonly ConfigDiagnostic[], range: Range): CodeAction[] {
  const actions: CodeAction[] = [];
  const suppressions: CodeAction[] = [];
  for (const d of diagnostics) {
    if (!onSameLines(d.range, range)) continue;
    const lsp = toLspDiagnostic(d, context.uri);
    if (d.fix) {
      actions.push({
        title: d.fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [lsp],
        isPreferred: true,
        edit: { changes: { [context.uri]: d.fix.edits } },
      });
    }
    suppressions.push({
      title: `Suppress ${d.code} on this line (# vmbackup-disable-next-line)`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [lsp],
      edit: { changes: { [context.uri]: [suppressionEdit(context.analysis.config, d)] } },
    });
  }
  return [...actions, ...suppressions, ...regexToListActions(context, range)];
}
