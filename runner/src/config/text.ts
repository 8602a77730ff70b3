// Character classes exactly as VmBackup's Python 2 sees them. The original reads the file as a
// byte string, so str.strip() and the regex classes \s and \w are ASCII-only.

/** Python 2 `str.isspace()` set: what `str.strip()` removes. */
export function isPyWhitespace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

/** First index >= from whose character is not Python whitespace (or `to`). */
export function skipWhitespace(text: string, from: number, to: number): number {
  let i = from;
  while (i < to && isPyWhitespace(text.charCodeAt(i))) i++;
  return i;
}

/** Index just after the last non-whitespace character in [from, to) (or `from`). */
export function trimEnd(text: string, from: number, to: number): number {
  let i = to;
  while (i > from && isPyWhitespace(text.charCodeAt(i - 1))) i--;
  return i;
}

/** Python 2 `str.strip()`. */
export function pyStrip(text: string): string {
  const start = skipWhitespace(text, 0, text.length);
  return text.slice(start, trimEnd(text, start, text.length));
}

/**
 * VmBackup's `isNormalVmName`: `re.match(r'^[\w\s\-\_]+$', name)` on a Python 2 byte string.
 * `$` also matches before one trailing newline, which a stripped config value never has.
 */
const PLAIN_NAME = /^[A-Za-z0-9_ \t\n\r\x0b\x0c-]+$/;

export function isPlainName(name: string): boolean {
  return PLAIN_NAME.test(name);
}

/**
 * Python 2 `int(s)` on a byte string succeeds for: optional blanks, optional sign, ASCII
 * digits, optional blanks. (No `_` separators, no base prefixes.)
 */
const PY_INT = /^[ \t\n\r\x0b\x0c]*[+-]?[0-9]+[ \t\n\r\x0b\x0c]*$/;

export function isPyInt(text: string): boolean {
  return PY_INT.test(text);
}

/** The value of a string that `isPyInt` accepted. */
export function pyIntValue(text: string): number {
  return Number.parseInt(pyStrip(text), 10);
}
