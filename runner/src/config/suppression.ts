// `# vmbackup-disable-next-line CODE [CODE...]` silences diagnostics on the line below it.
// Without codes it silences every diagnostic of that line. It is an ordinary comment for the
// original (a `#` in column 0), so the file stays valid for VmBackup.py.
//
// One rule for the editor and the runner: only what does not fail the run can be silenced
// (warnings, information, hints). An error is something the runner refuses (exit 2), so no
// comment hides it: the editor keeps showing it and offers no "Suppress" for it, and the runner
// reports it as before. A silenced warning is silent in both: the runner logs it as
// information and it does not make the run end with warnings.
import type { ConfigDiagnostic, ParsedConfig, Severity, TextEdit } from './types';

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

/** Whether a problem of this severity may be silenced at all (errors never: the run fails). */
export function isSuppressible(severity: Severity): boolean {
  return severity !== 'error';
}

/** True when a directive above `line` silences `code` and the problem is not an error. */
export function isSuppressedAt(config: ParsedConfig, line: number, code: string, severity: Severity): boolean {
  if (!isSuppressible(severity)) return false;
  const codes = directiveAbove(config, line);
  return codes !== undefined && (codes.size === 0 || codes.has(code));
}

export function isSuppressed(config: ParsedConfig, diagnostic: ConfigDiagnostic): boolean {
  return isSuppressedAt(config, diagnostic.range.start.line, diagnostic.code, diagnostic.severity);
}

/** The diagnostics a run reports, and those a directive silenced (logged as information). */
export function partitionSuppressed(
  config: ParsedConfig,
  diagnostics: readonly ConfigDiagnostic[],
): { kept: ConfigDiagnostic[]; suppressed: ConfigDiagnostic[] } {
  const kept: ConfigDiagnostic[] = [];
  const suppressed: ConfigDiagnostic[] = [];
  for (const d of diagnostics) (isSuppressed(config, d) ? suppressed : kept).push(d);
  return { kept, suppressed };
}

/** The edit that adds the directive for this diagnostic (extends an existing one). */
export function suppressionEdit(config: ParsedConfig, diagnostic: ConfigDiagnostic): TextEdit {
  const line = diagnostic.range.start.line;
  const above = config.lines[line - 1];
  if (above && above.kind === 'comment' && !above.indented && suppressedCodes(above.text)?.size) {
    const end = above.text.trimEnd().length;
    return {
      range: { start: { line: line - 1, character: end }, end: { line: line - 1, character: end } },
      newText: ` ${diagnostic.code}`,
    };
  }
  return {
    range: { start: { line, character: 0 }, end: { line, character: 0 } },
    newText: `# ${SUPPRESS_DIRECTIVE} ${diagnostic.code}${config.eol}`,
  };
}
