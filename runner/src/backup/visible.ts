// Names are hostile input: a VM name can carry terminal escape sequences (ESC, OSC), a
// carriage return that overwrites the line on screen, or characters other tools treat as
// line breaks (\v, \f, U+0085, U+2028, U+2029). In the human log and the status log they are
// written as visible escapes, so what an admin reads is what is there.

const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]/g;
const NAMED: Record<string, string> = { '\r': '\\r', '\v': '\\v', '\f': '\\f', '\b': '\\b', '\0': '\\0' };

function escapeOne(char: string): string {
  const named = NAMED[char];
  if (named !== undefined) return named;
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Every control character except tab and line feed as a visible escape (`\x1b`, `\r`, `\u2028`). */
export function escapeControls(text: string): string {
  return text.replace(CONTROL, escapeOne);
}
