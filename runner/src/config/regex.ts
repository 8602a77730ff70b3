// Regex syntax diagnostics (no pool needed): every exclude/selection value that is not a
// plain name is compiled by the Python-re engine; errors point at CPython's position.

import type { ConfigDiagnostic, EntryLine, ParsedConfig, Range } from './types';
import { CODES } from './codes';
import { range } from './parse';
import { isPlainName } from './text';
import { compilePython, python2Differences } from '../pyre';

const PATTERN_KEYS = new Set(['exclude', 'vm-export', 'vdi-export', 'metadata-export']);

/** One character at `pos` inside the name part, clamped to the name. */
function positionRange(entry: EntryLine, pos: number): Range {
  const start = entry.nameRange.start.character;
  const length = entry.name.length;
  let at = Math.min(Math.max(pos, 0), length);
  if (at === length && length > 0) at = length - 1;
  return range(entry.line, start + at, start + Math.min(at + 1, length));
}

/**
 * True when the first ':' cuts a regex that would be valid as a whole (`(?:a|b)`, `[:]`):
 * then VMB031 explains the line and the `:N` rules stay silent.
 */
export function colonCutsRegex(entry: EntryLine): boolean {
  if (!entry.suffix || isPlainName(entry.name)) return false;
  const cut = compilePython(entry.name);
  return !cut.ok && !cut.error.unsupported && compilePython(entry.value).ok;
}

/** A bare '*' is the v3.0 "all VMs" wildcard: VMB016 reports it with its fix. */
const BARE_STAR = /^[ \t]*\*$/;

function regexDiagnostic(entry: EntryLine, original: boolean): ConfigDiagnostic | undefined {
  const pattern = entry.name;
  if (pattern === '' || isPlainName(pattern) || BARE_STAR.test(pattern)) return undefined;
  const compiled = compilePython(pattern);
  if (compiled.ok) {
    if (!original) return undefined;
    // Valid in Python 3 but not in the original's Python 2.7 (atomic groups, (?i:...), ...).
    const notes = python2Differences(pattern);
    if (notes.length === 0) return undefined;
    return {
      code: CODES.python2Regex,
      severity: 'error',
      range: entry.nameRange,
      message: `The original (Python 2.7) rejects this regex and logs "***ERROR - invalid regex: ${entry.key}=${entry.value}": ${notes.join(' ')}`,
    };
  }
  const { error } = compiled;
  const logged = `"***ERROR - invalid regex: ${entry.key}=${entry.value}"`;
  if (colonCutsRegex(entry)) {
    return {
      code: CODES.colonCutsRegex,
      severity: 'error',
      range: entry.suffix!.colonRange,
      message: `The value is cut at this ':' (it separates the name from :N), so the regex is only '${pattern}', which is invalid. The original logs ${logged} and the run fails. Write the regex without ':' (e.g. a plain group instead of (?:...)).`,
    };
  }
  if (error.unsupported) {
    return {
      code: CODES.regexUnsupported,
      severity: 'error',
      range: positionRange(entry, error.pos),
      message: `vmbackup cannot run this regex: ${error.message}. Rewrite it without this construct.`,
    };
  }
  const notes = python2Differences(pattern);
  return {
    code: CODES.regexSyntax,
    severity: 'error',
    range: positionRange(entry, error.pos),
    message: `Invalid regex: ${error.message} at position ${error.pos}. The original logs ${logged} and the run fails.${notes.length ? ` Note: ${notes.join(' ')}` : ''}`,
  };
}

/**
 * Regex syntax errors of every exclude and selection line (VMB030-VMB032); with
 * `compatibility: 'original'` also regexes only Python 3 accepts (VMB033).
 */
export function regexDiagnostics(config: ParsedConfig, options: { compatibility?: 'extended' | 'original' } = {}): ConfigDiagnostic[] {
  const out: ConfigDiagnostic[] = [];
  const original = options.compatibility === 'original';
  for (const entry of config.entries) {
    if (!PATTERN_KEYS.has(entry.key)) continue;
    const d = regexDiagnostic(entry, original);
    if (d) out.push(d);
  }
  return out;
}
