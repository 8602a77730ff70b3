// Parsing and compiling entry points (re-exported by index.ts).
import type { PyreCompileResult, PyreErrorDetail } from './api';
import type { PyreAst } from './ast';
import { parsePattern } from './parser';
import { PyreSyntaxError } from './tokenizer';
import { translate } from './translate';
import { BoundedCache } from './boundedCache';

export type PyreParseResult =
  | {
      ok: true;
      ast: PyreAst;
      pattern: string /** set when valid but not translatable */;
      unsupported: PyreErrorDetail | null;
    }
  | { ok: false; error: PyreErrorDetail; pattern: string };

/** Code-point index -> UTF-16 code-unit offset in `pattern`. */
function toCodeUnits(pattern: string, codePointIndex: number): number {
  let units = 0;
  let points = 0;
  for (const ch of pattern) {
    if (points === codePointIndex) break;
    units += ch.length;
    points++;
  }
  return units;
}

function toError(pattern: string, err: PyreSyntaxError): PyreErrorDetail {
  const pythonPos = err.pos === null || err.unsupported ? null : toCodeUnits(pattern, err.pos);
  return {
    message: err.message,
    pos: toCodeUnits(pattern, err.pos ?? err.editorPos),
    unsupported: err.unsupported,
    pythonPos,
  };
}

/** Parses like `re.compile(pattern, re.ASCII)` in CPython 3.11+: the AST, or CPython's error. */
export function parsePython(pattern: string): PyreParseResult {
  try {
    const { ast, unsupported } = parsePattern(pattern);
    return { ok: true, ast, pattern, unsupported: unsupported && toError(pattern, unsupported) };
  } catch (err) {
    if (err instanceof PyreSyntaxError) return { ok: false, error: toError(pattern, err), pattern };
    throw err;
  }
}

/**
 * Beyond these sizes translating (captures tracked per group) and V8's own compilation grow
 * faster than linearly: a 100,000-character regex took minutes to diagnose. No selection
 * needs that much; such a regex is reported as unsupported, like V8's own size limit.
 */
export const MAX_PATTERN_LENGTH = 10_000;
export const MAX_PATTERN_GROUPS = 500;

function tooLarge(pattern: string, what: string): PyreCompileResult {
  const error: PyreErrorDetail = {
    message: `unsupported: regex too large to run safely (${what})`,
    pos: 0,
    unsupported: true,
    pythonPos: null,
  };
  return { ok: false, error, pattern };
}

function compileUncached(pattern: string): PyreCompileResult {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return tooLarge(pattern, `${pattern.length} characters; at most ${MAX_PATTERN_LENGTH}`);
  }
  const parsed = parsePython(pattern);
  if (!parsed.ok) return parsed;
  if (parsed.unsupported) return { ok: false, error: parsed.unsupported, pattern };
  if (parsed.ast.groupCount > MAX_PATTERN_GROUPS) {
    return tooLarge(pattern, `${parsed.ast.groupCount} groups; at most ${MAX_PATTERN_GROUPS}`);
  }
  let source: string;
  try {
    source = translate(parsed.ast);
  } catch (err) {
    if (err instanceof PyreSyntaxError) return { ok: false, error: toError(pattern, err), pattern };
    throw err;
  }
  try {
    const regex = new RegExp(source, 'u');
    regex.test(''); // V8 compiles lazily: make size limits surface here, not in the caller
    return { ok: true, regex, pattern };
  } catch (err) {
    // The translation is always valid JS syntax; V8 still refuses very large patterns
    // ("Regular expression too large", "Stack overflow"). Report it instead of throwing.
    const reason =
      err instanceof Error ? err.message.replace(/^Invalid regular expression: \/.*\/u?: /s, '') : String(err);
    const error: PyreErrorDetail = {
      message: `unsupported: JavaScript cannot build this regex (${reason})`,
      pos: 0,
      unsupported: true,
      pythonPos: null,
    };
    return { ok: false, error, pattern };
  }
}

// A 100,000-line config holds tens of thousands of distinct regexes; validation and the plan
// each compile them, so a smaller cache would compile every one twice. ~0.7 KB per entry.
const CACHE_LIMIT = 25_000;
const cache = new BoundedCache<string, PyreCompileResult>(CACHE_LIMIT);

/**
 * Compiles a Python regex to a JS RegExp with `re.match(pattern, s, re.ASCII)` semantics:
 * `regex.test(s)` is true exactly when Python's re.match finds a match at the start of s.
 * The RegExp has no `g`/`y` flag, so it is stateless and safe to share. Results are cached.
 */
export function compilePython(pattern: string): PyreCompileResult {
  let result = cache.get(pattern);
  if (result === undefined) {
    result = compileUncached(pattern);
    cache.set(pattern, result);
  }
  return result;
}

/** `re.match(pattern, name) is not None`; false for an invalid or unsupported pattern. */
export function pyMatch(pattern: string, name: string): boolean {
  const compiled = compilePython(pattern);
  return compiled.ok && compiled.regex.test(name);
}
