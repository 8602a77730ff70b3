// Code actions: the runner's fixes of every diagnostic under the cursor (the preferred one
// first, then the other reasonable choices), the suppression comment for what may be
// silenced (never an error: the runner would still refuse it), "convert regex to the
// explicit list of VMs it matches now", and `source.fixAll.vmbackup` (fix-on-save): every
// fix marked safe (the runner backs up the same VMs with the same settings afterwards).
import { CodeActionKind, type CodeAction, type Range, type TextEdit } from 'vscode-languageserver';
import type { ConfigDiagnostic, Fix } from '../../../runner/src/config/types';
import type { FeatureContext } from './context';
import { toLspDiagnostic } from './diagnostics';
import { isSuppressible, suppressionEdit } from './suppression';
import { regexToListActions } from './regexToList';

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.vmbackup`;

/** Line-wise: a cursor anywhere on a line with a problem gets that problem's actions. */
function onSameLines(a: Range, b: Range): boolean {
  return a.start.line <= b.end.line && b.start.line <= a.end.line;
}

/** `only` as the client sent it: does it ask for this kind (or a parent of it)? */
function wants(only: readonly string[] | undefined, kind: string): boolean {
  return only === undefined || only.some((o) => kind === o || kind.startsWith(`${o}.`));
}

function fixesOf(d: ConfigDiagnostic): Fix[] {
  return [...(d.fix ? [d.fix] : []), ...(d.otherFixes ?? [])];
}

function offset(p: { line: number; character: number }): number {
  return p.line * 1e6 + p.character;
}

/** Every safe fix of the document, skipping repeats (one fix offered on many lines) and overlaps. */
export function fixAllEdits(diagnostics: readonly ConfigDiagnostic[]): TextEdit[] {
  const chosen: TextEdit[] = [];
  const seen = new Set<string>();
  for (const d of diagnostics) {
    const fix = fixesOf(d).find((f) => f.safe);
    if (!fix) continue;
    const key = JSON.stringify(fix.edits);
    if (seen.has(key)) continue;
    seen.add(key);
    const overlaps = fix.edits.some((e) =>
      chosen.some(
        (c) =>
          (offset(e.range.start) < offset(c.range.end) && offset(c.range.start) < offset(e.range.end)) ||
          (offset(e.range.start) === offset(c.range.start) && offset(e.range.end) === offset(c.range.end)),
      ),
    );
    if (!overlaps) chosen.push(...fix.edits);
  }
  return chosen;
}

export function codeActions(
  context: FeatureContext,
  diagnostics: readonly ConfigDiagnostic[],
  range: Range,
  only?: readonly string[],
): CodeAction[] {
  const actions: CodeAction[] = [];
  const suppressions: CodeAction[] = [];
  const uri = context.uri;
  if (wants(only, CodeActionKind.QuickFix)) {
    for (const d of diagnostics) {
      if (!onSameLines(d.range, range)) continue;
      const lsp = toLspDiagnostic(d, uri, context.docsUri);
      fixesOf(d).forEach((fix, index) => {
        actions.push({
          title: fix.title,
          kind: CodeActionKind.QuickFix,
          diagnostics: [lsp],
          ...(index === 0 && d.fix ? { isPreferred: true } : {}),
          edit: { changes: { [uri]: fix.edits } },
        });
      });
      if (!isSuppressible(d.severity)) continue;
      suppressions.push({
        title: `Suppress ${d.code} on this line (# vmbackup-disable-next-line)`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [lsp],
        edit: { changes: { [uri]: [suppressionEdit(context.analysis.config, d)] } },
      });
    }
  }
  const rewrites = wants(only, CodeActionKind.RefactorRewrite) ? regexToListActions(context, range) : [];
  const fixAll: CodeAction[] = [];
  // Only when asked for (fix-on-save, "Source Action..."): it is not a light-bulb item.
  if (only !== undefined && wants(only, FIX_ALL_KIND)) {
    const edits = fixAllEdits(diagnostics);
    if (edits.length > 0) {
      fixAll.push({ title: 'Fix all safe VmBackup problems', kind: FIX_ALL_KIND, edit: { changes: { [uri]: edits } } });
    }
  }
  return [...actions, ...suppressions, ...rewrites, ...fixAll];
}
