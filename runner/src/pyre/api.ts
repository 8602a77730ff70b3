// Public surface of the Python `re` engine (implemented in this folder).
// Everything that validates or matches a VmBackup regex goes through here.

export interface PyreError {
  /** CPython's own message without the position, e.g. `nothing to repeat`. */
  message: string;
  /** 0-based index into the pattern string (code units), as CPython's `error.pos`. */
  pos: number;
  /** True when the pattern is valid Python but we deliberately cannot translate it. */
  unsupported: boolean;
}

export type PyreCompileResult =
  | { ok: true; regex: RegExp; pattern: string }
  | { ok: false; error: PyreError; pattern: string };

/**
 * Extra detail on a PyreError (added by the pyre engine; `message`/`pos` stay authoritative).
 * `pythonPos` is CPython's own `error.pos` converted to UTF-16 code units, or null when
 * CPython's exception carries no position (look-behind width errors, `(?u)` under re.ASCII,
 * too-large repeat counts); `pos` then points at the offending construct for the editor.
 */
export interface PyreErrorDetail extends PyreError {
  pythonPos: number | null;
}
