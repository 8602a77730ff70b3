// Backslash escapes outside and inside character sets, mirroring CPython's `_escape` and
// `_class_escape` (same acceptance, messages and positions).
import type { Category, PyreNode, SetItem } from './ast';
import type { ParserState } from './state';
import { type Tokenizer, PyreSyntaxError, cpLength } from './tokenizer';

const OCTDIGITS = '01234567';
const DIGITS = '0123456789';
const HEXDIGITS = '0123456789abcdefABCDEF';
const ASCIILETTERS = /^[A-Za-z]$/;

/** Single-character escapes (`ESCAPES`); `\b` is backspace only inside a set. */
const ESCAPES: Record<string, number> = {
  '\\a': 0x07,
  '\\b': 0x08,
  '\\f': 0x0c,
  '\\n': 0x0a,
  '\\r': 0x0d,
  '\\t': 0x09,
  '\\v': 0x0b,
  '\\\\': 0x5c,
};

const CATEGORY_ESCAPES: Record<string, Category> = {
  '\\d': 'd',
  '\\D': 'D',
  '\\s': 's',
  '\\S': 'S',
  '\\w': 'w',
  '\\W': 'W',
};

const ANCHOR_ESCAPES: Record<string, PyreNode> = {
  '\\A': { type: 'anchor', kind: 'beginningString' },
  '\\b': { type: 'anchor', kind: 'boundary' },
  '\\B': { type: 'anchor', kind: 'nonBoundary' },
  '\\Z': { type: 'anchor', kind: 'endString' },
};

/** `\x..`, `\u....`, `\U........` and `\N{...}`, identical inside and outside sets. */
function unicodeEscape(source: Tokenizer, escape: string, state: ParserState): number | { named: string } | null {
  const c = escape[1];
  const fixed: Record<string, number> = { x: 2, u: 4, U: 8 };
  if (c in fixed) {
    escape += source.getWhile(fixed[c], HEXDIGITS);
    if (escape.length !== fixed[c] + 2) {
      throw source.error(`incomplete escape ${escape}`, escape.length);
    }
    const code = parseInt(escape.slice(2), 16);
    if (code > 0x10ffff) throw source.error(`bad escape ${escape}`, escape.length);
    return code;
  }
  if (c === 'N') {
    if (!source.match('{')) throw source.error('missing {');
    const name = source.getUntil('}', 'character name');
    // Resolving the name needs the Unicode name table (unicodedata.lookup), which we do not
    // ship: the pattern is reported unsupported once the rest of it has been checked.
    state.markUnsupported(namedEscapeUnsupported(name, source.tell() - cpLength(name) - 4));
    return { named: name };
  }
  return null;
}

export function namedEscapeUnsupported(name: string, pos: number): PyreSyntaxError {
  return new PyreSyntaxError(
    `unsupported: named Unicode escape \\N{${name}} (write the character or \\uXXXX instead)`,
    pos,
    true,
  );
}

export function classEscape(source: Tokenizer, escape: string, state: ParserState): SetItem {
  if (escape in ESCAPES) return { kind: 'char', code: ESCAPES[escape] };
  if (escape in CATEGORY_ESCAPES) return { kind: 'category', category: CATEGORY_ESCAPES[escape] };
  const unicode = unicodeEscape(source, escape, state);
  if (typeof unicode === 'number') return { kind: 'char', code: unicode };
  if (unicode !== null) return { kind: 'named', name: unicode.named };
  const c = escape[1];
  if (OCTDIGITS.includes(c)) {
    escape += source.getWhile(2, OCTDIGITS);
    const code = parseInt(escape.slice(1), 8);
    if (code > 0o377) {
      throw source.error(`octal escape value ${escape} outside of range 0-0o377`, escape.length);
    }
    return { kind: 'char', code };
  }
  if (!DIGITS.includes(c) && cpLength(escape) === 2 && !ASCIILETTERS.test(c)) {
    return { kind: 'char', code: escape.codePointAt(1)! };
  }
  throw source.error(`bad escape ${escape}`, cpLength(escape));
}

export function escape(source: Tokenizer, escape: string, state: ParserState): PyreNode {
  if (escape in ANCHOR_ESCAPES) return { ...ANCHOR_ESCAPES[escape] } as PyreNode;
  if (escape in CATEGORY_ESCAPES) {
    return { type: 'set', negate: false, items: [{ kind: 'category', category: CATEGORY_ESCAPES[escape] }] };
  }
  if (escape in ESCAPES) return { type: 'literal', code: ESCAPES[escape] };
  const unicode = unicodeEscape(source, escape, state);
  if (typeof unicode === 'number') return { type: 'literal', code: unicode };
  if (unicode !== null) return { type: 'namedChar', name: unicode.named };
  const c = escape[1];
  if (c === '0') {
    escape += source.getWhile(2, OCTDIGITS);
    return { type: 'literal', code: parseInt(escape.slice(1), 8) };
  }
  if (DIGITS.includes(c)) {
    // octal escape *or* decimal group reference, decided as CPython does
    if (source.next !== null && source.next.length === 1 && DIGITS.includes(source.next)) {
      escape += source.get();
      if (
        OCTDIGITS.includes(escape[1]) &&
        OCTDIGITS.includes(escape[2]) &&
        source.next !== null &&
        source.next.length === 1 &&
        OCTDIGITS.includes(source.next)
      ) {
        escape += source.get();
        const code = parseInt(escape.slice(1), 8);
        if (code > 0o377) {
          throw source.error(`octal escape value ${escape} outside of range 0-0o377`, escape.length);
        }
        return { type: 'literal', code };
      }
    }
    const group = parseInt(escape.slice(1), 10);
    if (group < state.groups) {
      if (!state.checkGroup(group)) throw source.error('cannot refer to an open group', escape.length);
      state.checkLookbehindGroup(group, source);
      return { type: 'backref', group, name: null, start: source.tell() - escape.length };
    }
    throw source.error(`invalid group reference ${group}`, escape.length - 1);
  }
  if (cpLength(escape) === 2 && !ASCIILETTERS.test(c)) {
    return { type: 'literal', code: escape.codePointAt(1)! };
  }
  throw source.error(`bad escape ${escape}`, cpLength(escape));
}
