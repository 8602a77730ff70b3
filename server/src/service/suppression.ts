// `# vmbackup-disable-next-line CODE [CODE...]` silences diagnostics on the line below it.
// Without codes it silences every diagnostic of that line. It is an ordinary comment for the
// original (a `#` in column 0), so the file stays valid for VmBackup.py.
import type { ConfigDiagnostic, ParsedConfig, TextEdit } from '../../../runner/src/config/types';

export const SUPPRESS_DIRECTIVE = 'vmbackup-disable-next-line';
const DIRECTIVE = /^#\s*vmbackup-disable-next-line\b(.*)$/;

/** Codes a comment line suppresses (empty set = all), or undefined when it is no directive. */
export function suppressedCodes(commentText: string): Set<string> | undefined {
  const match = DIRECTIVE.exec(commentText);
  if (!match) return undefined;
  const codes = match[1]!.split(/[\s,]+/).filter((c) => c !== '' && !c.startsWith('--'));
  const set = new Set<string>();
  for (const code of codes) {
    if (!/^[A-Za-z]+\d+$/.test(code)) break; // free text after the codes is an explanation
    set.add(code.toUpperCase());
  }
  return set;
}

function directiveAbove(config: ParsedConfig, line: number): Set<string> | undefined {
  const above = config.lines[line - 1];
  return above && above.kind === 'comment' && !above.indented ? suppressedCodes(above.text) : undefined;
}

export function isSuppressed(config: ParsedConfig, diagnostic: ConfigDiagnostic): boolean {
  const codes = directiveAbove(config, diagnostic.range.start.line);
  return codes !== undefined && (codes.size === 0 || codes.has(diagnostic.code));
}

/** The edit that adds the directive for this diagnostic (extends an existing one). */
export function suppressionEdit(config: ParsedConfig, diagnostic: ConfigDiagnostic): TextEdit {
  const line = diagnostic.range.start.line;
  const above = config.lines[line - 1];
  if (above && above.kind === 'comment' && !above.indented && suppressedCodes(above.text)?.size) {
    const end = above.text.trimEnd().length;
    return { range: { start: { line: line - 1, character: end }, end: { line: line - 1, character: end } }, newText: ` ${diagnostic.code}` };
  }
  return {
    range: { start: { line, character: 0 }, end: { line, character: 0 } },
    newText: `# ${SUPPRESS_DIRECTIVE} ${diagnostic.code}${config.eol}`,
  };
}
