// Formatting: only changes the original would not see (it strips every line and both sides of
// `=`), so a formatted file selects exactly the same VMs. Comments are kept verbatim, except
// that an indented comment loses its indentation (the original crashes on `  # note`).
import type { TextEdit } from 'vscode-languageserver';
import type { ParsedConfig, Range } from 'vmbackup-runner/config';

function lineEdit(range: Range, oldText: string, newText: string): TextEdit | undefined {
  return oldText === newText ? undefined : { range, newText };
}

export function formatDocument(config: ParsedConfig, range?: Range): TextEdit[] {
  const edits: TextEdit[] = [];
  for (const node of config.lines) {
    if (range && (node.line < range.start.line || node.line > range.end.line)) continue;
    let formatted: string | undefined;
    if (node.kind === 'entry') {
      // Inside the value only the outer blanks go: `web : 3` stays as written, because the
      // name/number split is the runner's business, not the formatter's.
      formatted = `${node.key}=${node.value}`;
    } else if (node.kind === 'comment') {
      formatted = node.text.trimStart().trimEnd();
    } else if (node.kind === 'blank') {
      formatted = '';
    }
    if (formatted === undefined) continue;
    const edit = lineEdit(node.range, node.text, formatted);
    if (edit) edits.push(edit);
  }
  return edits;
}
