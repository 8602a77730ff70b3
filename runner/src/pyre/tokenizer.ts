// Pattern tokenizer mirroring CPython's `re._parser.Tokenizer`: a token is one code point or
// a backslash plus the next code point. Indexes are code-point indexes (Python `str`
// semantics); `PyreSyntaxError.pos` is converted to UTF-16 code units only at the API edge.

/**
 * A pattern error with CPython's message. `pos` is a code-point index, or null when CPython's
 * exception carries no position (compile-stage errors); `editorPos` is then where we point.
 */
export class PyreSyntaxError extends Error {
  constructor(
    message: string,
    readonly pos: number | null,
    readonly unsupported = false,
    readonly editorPos: number = pos ?? 0,
  ) {
    super(message);
  }
}

export class Tokenizer {
  readonly chars: string[];
  index = 0;
  next: string | null = null;

  constructor(pattern: string) {
    this.chars = Array.from(pattern);
    this.advance();
  }

  private advance(): void {
    let index = this.index;
    if (index >= this.chars.length) {
      this.next = null;
      return;
    }
    let char = this.chars[index];
    if (char === '\\') {
      index += 1;
      if (index >= this.chars.length) {
        throw new PyreSyntaxError('bad escape (end of pattern)', this.chars.length - 1);
      }
      char += this.chars[index];
    }
    this.index = index + 1;
    this.next = char;
  }

  match(char: string): boolean {
    if (char === this.next) {
      this.advance();
      return true;
    }
    return false;
  }

  get(): string | null {
    const current = this.next;
    this.advance();
    return current;
  }

  /** Up to n tokens that are in the charset (single characters only, as in CPython). */
  getWhile(n: number, charset: string): string {
    let result = '';
    for (let i = 0; i < n; i++) {
      const c = this.next;
      if (c === null || c.length !== 1 || !charset.includes(c)) break;
      result += c;
      this.advance();
    }
    return result;
  }

  getUntil(terminator: string, name: string): string {
    let result = '';
    for (;;) {
      const c = this.next;
      this.advance();
      if (c === null) {
        if (!result) throw this.error(`missing ${name}`);
        throw this.error(`missing ${terminator}, unterminated name`, cpLength(result));
      }
      if (c === terminator) {
        if (!result) throw this.error(`missing ${name}`, 1);
        break;
      }
      result += c;
    }
    return result;
  }

  tell(): number {
    return this.index - cpLength(this.next ?? '');
  }

  seek(index: number): void {
    this.index = index;
    this.advance();
  }

  error(message: string, offset = 0): PyreSyntaxError {
    return new PyreSyntaxError(message, this.tell() - offset);
  }

  checkGroupName(name: string, offset: number): void {
    if (!isIdentifier(name)) {
      throw this.error(`bad character in group name ${pyRepr(name)}`, cpLength(name) + offset);
    }
  }
}

export function cpLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

const identifierRe = /^[\p{XID_Start}_]\p{XID_Continue}*$/u;

/** Python's `str.isidentifier()` (keywords included, as CPython's check does). */
export function isIdentifier(s: string): boolean {
  return identifierRe.test(s);
}

const nonPrintableRe = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

/** Python's `repr()` of a str, as used in CPython's error messages (`%r`). */
export function pyRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + hex(cp, 2);
    else if (cp < 0x7f || ch === ' ') out += ch;
    else if (nonPrintableRe.test(ch)) {
      if (cp <= 0xff) out += '\\x' + hex(cp, 2);
      else if (cp <= 0xffff) out += '\\u' + hex(cp, 4);
      else out += '\\U' + hex(cp, 8);
    } else out += ch;
  }
  return out + quote;
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

const decimalDigitRe = /^\p{Nd}$/u;

function digitValue(ch: string): number {
  // Unicode decimal digits come in contiguous runs of ten starting at zero.
  let cp = ch.codePointAt(0)!;
  let start = cp;
  while (decimalDigitRe.test(String.fromCodePoint(start - 1))) start--;
  cp -= start;
  return cp % 10;
}

/** Characters for which Python's `str.isspace()` is true. */
const pyWhitespace = /^[\t\n\v\f\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/u;

/**
 * Python's `int(s)` for a base-10 string, or null when it raises ValueError: optional blanks,
 * an optional sign, Unicode decimal digits with single underscores between them.
 */
export function pyInt(s: string): bigint | null {
  const chars = Array.from(s);
  let a = 0;
  let b = chars.length;
  while (a < b && pyWhitespace.test(chars[a])) a++;
  while (b > a && pyWhitespace.test(chars[b - 1])) b--;
  let negative = false;
  if (a < b && (chars[a] === '+' || chars[a] === '-')) {
    negative = chars[a] === '-';
    a++;
  }
  let value = 0n;
  let prevDigit = false;
  for (let i = a; i < b; i++) {
    const ch = chars[i];
    if (ch === '_') {
      if (!prevDigit || i === b - 1) return null;
      prevDigit = false;
      continue;
    }
    if (!decimalDigitRe.test(ch)) return null;
    value = value * 10n + BigInt(digitValue(ch));
    prevDigit = true;
  }
  if (!prevDigit) return null;
  return negative ? -value : value;
}

/** Python's `str.isdecimal() and str.isascii()`. */
export function isAsciiDecimal(s: string): boolean {
  return /^[0-9]+$/.test(s);
}
