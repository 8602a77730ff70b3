// The documented exception list of the differential test (see docs/pyre.md): constructs that
// are valid Python but that the engine deliberately reports as unsupported instead of
// translating them inexactly. Each category names the construct the pattern must contain.

export const UNSUPPORTED_CATEGORIES = [
  { id: 'conditional', message: /^unsupported: conditional group/, construct: /\(\?\(/ },
  { id: 'named-escape', message: /^unsupported: named Unicode escape/, construct: /\\N\{/ },
  { id: 'unicode-scope', message: /^unsupported: \(\?u:\.\.\.\)/, construct: /\(\?[a-zA-Z-]*u[a-zA-Z-]*:/ },
  {
    id: 'backref-maybe-unset',
    message: /^unsupported: backreference to group \d+ which may not have matched/,
    construct: /\\[1-9]|\(\?P=/,
  },
  { id: 'backref-ignorecase', message: /^unsupported: case-insensitive backreference/, construct: /\\[1-9]|\(\?P=/ },
  {
    id: 'empty-loop-order',
    message: /^unsupported: a repeated subpattern that prefers the empty string inside/,
    construct: /\(\?>|[*+?}]\+|\(\?<?=/,
  },
  // V8 refuses huge patterns ("Regular expression too large"); CPython compiles them.
  { id: 'js-size-limit', message: /^unsupported: JavaScript cannot build this regex/, construct: /^[\s\S]{5000}/ },
  // Our own limits (engine.ts MAX_PATTERN_LENGTH / MAX_PATTERN_GROUPS).
  { id: 'size-limit', message: /^unsupported: regex too large to run safely/, construct: /^[\s\S]{1000}/ },
] as const;

export function classifyUnsupported(pattern: string, message: string): string | null {
  for (const category of UNSUPPORTED_CATEGORIES) {
    if (category.message.test(message) && category.construct.test(pattern)) return category.id;
  }
  return null;
}
