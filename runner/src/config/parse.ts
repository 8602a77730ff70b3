// Lossless parser for VmBackup .cfg files. Every line of the document becomes a node with
// exact ranges; nothing is dropped and nothing throws. Classification follows the original's
// `config_load` loop:
//   if not line.startswith('#') and len(line.strip()) > 0:
//       (key, value) = line.strip().split('=')      # crashes unless exactly one '='
//       key = key.strip(); value = value.strip()
// and, for selections, `value.split(':')` (name before the first ':', N after it).

import type { EntryLine, LineNode, ParsedConfig, Position, Range, SuffixPart } from './types';
import { skipWhitespace, trimEnd } from './text';

/** Keys whose value the original splits on ':' into `name:N`. `exclude` is not split. */
export const SPLIT_SUFFIX_KEYS: ReadonlySet<string> = new Set(['vm-export', 'vdi-export', 'metadata-export']);

const BOM = 0xfeff;

export function range(line: number, start: number, end: number): Range {
  return { start: { line, character: start }, end: { line, character: end } };
}

// Ranges of one entry line share Position objects where they meet (key end = '=' start,
// ...): a 10,000-line file allocates far fewer objects. Positions are never mutated. The
// scratch list is emptied per line by its count, not by `length = 0`, which would free the
// array's storage and allocate it again on every line (at most ~8 distinct positions: a
// scan beats a Map).
const scratch: Position[] = [];
let scratchCount = 0;
let scratchLine = -1;

function sharedRange(line: number, start: number, end: number): Range {
  if (line !== scratchLine) {
    scratchCount = 0;
    scratchLine = line;
  }
  return { start: sharedPos(line, start), end: sharedPos(line, end) };
}

function sharedPos(line: number, character: number): Position {
  for (let i = 0; i < scratchCount; i++) if (scratch[i]!.character === character) return scratch[i]!;
  const p = { line, character };
  scratch[scratchCount++] = p;
  return p;
}

/**
 * Splits text into lines the way LSP clients do (`\r\n`, `\r` or `\n` end a line), so that
 * our positions are the editor's positions. Returns each line's text without terminator.
 */
function splitLines(text: string): { lines: string[]; crlf: number; lf: number } {
  const lines: string[] = [];
  let crlf = 0;
  let lf = 0;
  let start = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      lines.push(text.slice(start, i));
      lf++;
      start = i + 1;
    } else if (c === 13) {
      lines.push(text.slice(start, i));
      if (i + 1 < n && text.charCodeAt(i + 1) === 10) {
        crlf++;
        i++;
      }
      start = i + 1;
    }
  }
  lines.push(text.slice(start));
  return { lines, crlf, lf };
}

function parseEntry(lineNo: number, text: string, start: number, end: number, eq: number): EntryLine {
  scratchLine = -1;
  const keyStart = start;
  const keyEnd = trimEnd(text, keyStart, eq);
  const valueStart = skipWhitespace(text, eq + 1, end);
  const valueEnd = end;
  const key = text.slice(keyStart, keyEnd);
  const value = text.slice(valueStart, valueEnd);
  const valueRange = sharedRange(lineNo, valueStart, valueEnd);
  const entry: EntryLine = {
    kind: 'entry',
    line: lineNo,
    text,
    range: sharedRange(lineNo, 0, text.length),
    key,
    keyRange: sharedRange(lineNo, keyStart, keyEnd),
    equalsRange: sharedRange(lineNo, eq, eq + 1),
    value,
    valueRange,
    name: value,
    // Shared with valueRange when there is no `:N` part (ranges are never mutated).
    nameRange: valueRange,
  };
  if (SPLIT_SUFFIX_KEYS.has(key)) {
    const colon = text.indexOf(':', valueStart);
    if (colon !== -1 && colon < valueEnd) {
      // The original does not strip the parts: `web1 :3` has the name `web1 ` (with a blank).
      entry.name = text.slice(valueStart, colon);
      entry.nameRange = sharedRange(lineNo, valueStart, colon);
      const suffix: SuffixPart = {
        text: text.slice(colon + 1, valueEnd),
        range: sharedRange(lineNo, colon + 1, valueEnd),
        colonRange: sharedRange(lineNo, colon, colon + 1),
      };
      entry.suffix = suffix;
    }
  }
  return entry;
}

function parseLine(lineNo: number, text: string): LineNode {
  if (text.charCodeAt(0) === 35 /* # */) {
    return { kind: 'comment', line: lineNo, text, range: range(lineNo, 0, text.length), indented: false };
  }
  const start = skipWhitespace(text, 0, text.length);
  if (start === text.length) return { kind: 'blank', line: lineNo, text, range: range(lineNo, 0, text.length) };
  if (text.charCodeAt(start) === 35) {
    return { kind: 'comment', line: lineNo, text, range: range(lineNo, 0, text.length), indented: true };
  }
  const end = trimEnd(text, start, text.length);
  // The common case, exactly one '=', needs no list of positions.
  const eq = text.indexOf('=', start);
  const second = eq === -1 || eq >= end ? -1 : text.indexOf('=', eq + 1);
  if (eq !== -1 && eq < end && (second === -1 || second >= end)) return parseEntry(lineNo, text, start, end, eq);
  const equalsRanges: Range[] = [];
  for (let i = eq; i !== -1 && i < end; i = text.indexOf('=', i + 1)) equalsRanges.push(range(lineNo, i, i + 1));
  return {
    kind: 'malformed',
    line: lineNo,
    text,
    range: range(lineNo, 0, text.length),
    reason: equalsRanges.length === 0 ? 'missing-equals' : 'multiple-equals',
    equalsRanges,
  };
}

/** Parses any text into one node per line. Never throws. */
export function parseConfig(text: string): ParsedConfig {
  const hasBom = text.charCodeAt(0) === BOM;
  const body = hasBom ? text.slice(1) : text;
  const split = splitLines(body);
  const lines: LineNode[] = new Array(split.lines.length);
  const entries: EntryLine[] = [];
  for (let i = 0; i < split.lines.length; i++) {
    const node = parseLine(i, split.lines[i]!);
    lines[i] = node;
    if (node.kind === 'entry') entries.push(node);
  }
  return { lines, entries, hasBom, eol: split.crlf > split.lf ? '\r\n' : '\n' };
}
