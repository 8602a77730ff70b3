// Regex syntax diagnostics (no pool needed): every exclude/selection value that is not a
// plain name is compiled by the Python-re engine; errors point at CPython's position.

import type { ConfigDiagnostic, EntryLine, Fix, ParsedConfig, Range } from './types';
import { CODES } from './codes';
import { range } from './parse';
import { isPlainName } from './text';
import { compilePython, python2Differences, python2MeaningDifferences } from '../pyre';

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
  const logged = `"***ERROR - invalid regex: ${entry.key}=${entry.value}"`;
  if (compiled.ok) return original ? python2Diagnostic(entry, logged) : undefined;
  const { error } = compiled;
  if (colonCutsRegex(entry)) {
    // `(?:a|b)` -> `(a|b)`: the same names, with no ':' to cut the value.
    const plainGroups = entry.value.replace(/\(\?:/g, '(');
    const parts = plainGroups.split(':');
    const fixable = parts.length <= 2 && compilePython(parts[0]!).ok;
    return {
      ...(fixable
        ? {
            fix: {
              title: `Use plain groups: ${plainGroups}`,
              edits: [{ range: entry.valueRange, newText: plainGroups }],
            },
          }
        : {}),
      code: CODES.colonCutsRegex,
      severity: 'error',
      range: entry.suffix!.colonRange,
      message:
        `The value is cut at this ':' (it separates the name from :N), so the regex is only '${pattern}', ` +
        `which is invalid. The original logs ${logged} and the run fails. Write the regex without ':' (e.g. a plain ` +
        'group instead of (?:...)).',
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
  // For a pattern Python 3 rejects, python2Differences says where Python 2.7 accepted it.
  const accepted = python2Differences(pattern);
  const fix = regexSyntaxFix(entry, error.message, error.pos);
  return {
    ...(fix ? { fix } : {}),
    code: CODES.regexSyntax,
    severity: 'error',
    range: positionRange(entry, error.pos),
    message:
      `Invalid regex: ${error.message} at position ${error.pos}. ` +
      (accepted.length
        ? `vmbackup logs ${logged} and the run fails; the original (Python 2.7) accepted it: ${accepted.join(' ')}`
        : `The original logs ${logged} and the run fails.`),
  };
}

/**
 * The obvious corrections of a regex syntax error: a glob-style leading `*` (`*PROD`, `a|*b`)
 * gets the '.' it lacks, a missing ')' is added at the end, a stray ')' is removed. Offered only
 * when the result compiles.
 */
function regexSyntaxFix(entry: EntryLine, message: string, pos: number): Fix | undefined {
  const name = entry.name;
  const start = entry.nameRange.start.character;
  let fixed: string | undefined;
  let title = '';
  const leadingQuantifier = (name[pos] === '*' || name[pos] === '+') && (pos === 0 || '|('.includes(name[pos - 1]!));
  if (message === 'nothing to repeat' && leadingQuantifier) {
    fixed = `${name.slice(0, pos)}.${name.slice(pos)}`;
    title = `Insert '.' before '${name[pos]}': ${fixed}`;
  } else if (message === 'missing ), unterminated subpattern') {
    fixed = `${name})`;
    title = `Close the group: ${fixed}`;
  } else if (message === 'unbalanced parenthesis' && name[pos] === ')') {
    fixed = name.slice(0, pos) + name.slice(pos + 1);
    title = `Remove the unmatched ')': ${fixed}`;
  }
  if (fixed === undefined || !compilePython(fixed).ok) return undefined;
  return { title, edits: [{ range: range(entry.line, start, start + name.length), newText: fixed }] };
}

/**
 * VMB033, for a pattern Python 3 accepts: Python 2.7 (the original) rejects it (atomic
 * groups, scoped flags, ...), or accepts it with another meaning (`\u`, `\U`, `\N` were
 * plain letters), so the original selects other VMs than vmbackup.
 */
function python2Diagnostic(entry: EntryLine, logged: string): ConfigDiagnostic | undefined {
  const rejected = python2Differences(entry.name);
  if (rejected.length) {
    return {
      code: CODES.python2Regex,
      severity: 'error',
      range: entry.nameRange,
      message: `The original (Python 2.7) rejects this regex and logs ${logged}: ${rejected.join(' ')}`,
    };
  }
  const meaning = python2MeaningDifferences(entry.name);
  if (meaning.length === 0) return undefined;
  return {
    code: CODES.python2Regex,
    severity: 'warning',
    range: entry.nameRange,
    message:
      'The original (Python 2.7) accepts this regex but reads it differently, so it selects other VMs than ' +
      `vmbackup: ${meaning.join(' ')}`,
  };
}

/**
 * Regex syntax errors of every exclude and selection line (VMB030-VMB032); with
 * `compatibility: 'original'` also regexes Python 2.7 rejects or reads differently (VMB033).
 */
export function regexDiagnostics(
  config: ParsedConfig,
  options: { compatibility?: 'extended' | 'original' } = {},
): ConfigDiagnostic[] {
  const out: ConfigDiagnostic[] = [];
  const original = options.compatibility === 'original';
  for (const entry of config.entries) {
    if (!PATTERN_KEYS.has(entry.key)) continue;
    const d = regexDiagnostic(entry, original);
    if (d) out.push(d);
  }
  return out;
}
