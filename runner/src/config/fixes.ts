// Machine-applicable fixes, and a helper that applies TextEdits to a text (used by the CLI's
// `--fix`-style features and by the tests that prove each fix yields the expected document).

import type { EntryLine, Fix, ParsedConfig, Position, TextEdit } from './types';
import { range } from './parse';

function offsetAt(lineStarts: number[], text: string, pos: Position): number {
  if (pos.line >= lineStarts.length) return text.length;
  return Math.min(lineStarts[pos.line]! + pos.character, text.length);
}

function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
    if (c === 10 || c === 13) starts.push(i + 1);
  }
  return starts;
}

/**
 * Applies non-overlapping edits (positions refer to the original text, as in LSP). A BOM at
 * the start of `text` is kept and not counted in positions, as editors do.
 */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const bom = text.charCodeAt(0) === 0xfeff ? '\ufeff' : '';
  const body = bom ? text.slice(1) : text;
  const starts = computeLineStarts(body);
  const resolved = edits
    .map((e) => ({ start: offsetAt(starts, body, e.range.start), end: offsetAt(starts, body, e.range.end), text: e.newText }))
    .sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let at = 0;
  for (const e of resolved) {
    out += body.slice(at, e.start) + e.text;
    at = Math.max(at, e.end);
  }
  return bom + out + body.slice(at);
}

/** Replace a name part with another (prefix-wildcard and escape fixes). */
export function replaceNameFix(title: string, entry: EntryLine, newName: string): Fix {
  return { title, edits: [{ range: entry.nameRange, newText: newName }] };
}

/**
 * Moves every exclude that follows the first selection line to just above that line,
 * keeping their order. One fix for the whole file (each late exclude offers the same fix).
 */
export function moveExcludesFix(parsed: ParsedConfig, firstSelection: EntryLine, late: EntryLine[]): Fix {
  const eol = parsed.eol;
  const lastLine = parsed.lines.length - 1;
  const edits: TextEdit[] = [
    {
      range: range(firstSelection.line, 0, 0),
      newText: late.map((e) => e.text + eol).join(''),
    },
  ];
  for (const e of late) {
    edits.push(
      e.line < lastLine
        ? { range: { start: { line: e.line, character: 0 }, end: { line: e.line + 1, character: 0 } }, newText: '' }
        : { range: range(e.line, 0, e.text.length), newText: '' },
    );
  }
  const what = late.length === 1 ? 'this exclude' : `all ${late.length} late excludes`;
  // Safe: an exclude removes the same VMs wherever it stands, and v3.25 drops the VMs selected
  // above a late exclude at the end anyway ("forcing exclude"), so the final lists are equal.
  return { title: `Move ${what} above the first selection (line ${firstSelection.line + 1})`, edits, safe: true };
}

/** Python `re.escape`-like escaping for the characters that occur in VM names. */
export function escapeLiteral(name: string): string {
  return name.replace(/[.^$*+?{}[\]\\|()]/g, (c) => `\\${c}`);
}

/** Deletes a whole line with its terminator (the last line: with the terminator before it). */
export function removeLineEdit(parsed: ParsedConfig, line: number): TextEdit {
  const lastLine = parsed.lines.length - 1;
  if (line < lastLine) {
    return { range: { start: { line, character: 0 }, end: { line: line + 1, character: 0 } }, newText: '' };
  }
  const previous = parsed.lines[line - 1];
  const start = previous ? { line: line - 1, character: previous.text.length } : { line, character: 0 };
  return { range: { start, end: { line, character: parsed.lines[line]?.text.length ?? 0 } }, newText: '' };
}

export function removeLineFix(parsed: ParsedConfig, line: number, title: string): Fix {
  return { title, edits: [removeLineEdit(parsed, line)] };
}

/** `# ` in front of the line (the original skips it). */
export function commentOutFix(line: number): Fix {
  return { title: 'Comment out the line', edits: [{ range: range(line, 0, 0), newText: '# ' }] };
}

/**
 * VMB001 `max_backups 3` / `max_backups: 3` / `max_backups`: the blanks or ':' after the
 * first word become one '=' (a lone word gets '=' after it). `knownKey` makes it the
 * preferred fix; otherwise commenting the line out is.
 */
export function insertEqualsFix(line: number, text: string): Fix | undefined {
  const m = /^([ \t]*)([^\s:]+)([ \t]*:?[ \t]*|[ \t]+)?(.*)$/.exec(text);
  if (!m || !m[2]) return undefined;
  const keyStart = m[1]!.length;
  const keyEnd = keyStart + m[2].length;
  const separator = m[3] ?? '';
  const rest = m[4] ?? '';
  if (rest.includes('=')) return undefined;
  const fixed = `${m[2]}=${rest.trimEnd()}`;
  return {
    title: `Insert '=': ${fixed}`,
    edits: [{ range: range(line, keyEnd, keyEnd + separator.length), newText: '=' }],
  };
}

/** Moves line `line` to just after line `after` (later in the file). */
export function moveLineAfterFix(parsed: ParsedConfig, line: number, after: number, title: string): Fix {
  const text = parsed.lines[line]?.text ?? '';
  const eol = parsed.eol;
  const afterEnd = parsed.lines[after]?.text.length ?? 0;
  const insert: TextEdit =
    after < parsed.lines.length - 1
      ? { range: range(after + 1, 0, 0), newText: text + eol }
      : { range: range(after, afterEnd, afterEnd), newText: eol + text };
  return { title, edits: [removeLineEdit(parsed, line), insert] };
}

const SELECTION_KEYS: ReadonlySet<string> = new Set(['vm-export', 'vdi-export', 'metadata-export']);

/** The excludes after the first selection line, moved above it (VMB013, VMB045), if any. */
export function lateExcludesFix(parsed: ParsedConfig): Fix | undefined {
  const first = parsed.entries.find((e) => SELECTION_KEYS.has(e.key));
  if (!first) return undefined;
  const late = parsed.entries.filter((e) => e.key === 'exclude' && e.value !== '' && e.line > first.line);
  return late.length ? moveExcludesFix(parsed, first, late) : undefined;
}
