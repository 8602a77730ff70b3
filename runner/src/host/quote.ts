// Quoting for the POSIX shell on the far side of ssh. ssh joins its command arguments with
// spaces and hands the result to the remote login shell (`$SHELL -c`), so every word we
// send must be quoted for that shell, whatever a VM name contains.
//
// Why not `shescape` (installed): its quote() deliberately drops characters it considers
// dangerous for terminals (NUL, backspace, ESC, U+009B, a lone CR) and picks the shell by
// looking at the LOCAL machine. A path that changes on the way is a wrong path — for
// `rm -rf` it could be another VM's folder — so we need an exact round trip for the REMOTE
// shell, which shescape does not promise.
//
// The method: wrap the whole word in single quotes; inside single quotes a POSIX shell
// takes every byte literally (no `$`, backtick, backslash, glob or newline processing) and
// the only character that cannot appear is the single quote itself, which becomes `'\''`
// (close quote, escaped quote, reopen). This is the POSIX.1 definition of single quotes
// (XCU 2.2.2), so it holds for sh, bash, dash, ksh, zsh and busybox ash. NUL cannot be
// passed in an argv at all and is rejected. test/host/quote.test.ts checks the round trip
// through a real /bin/sh, bash and dash with hostile and random strings.

import { HostError } from './errors';

/** Quote one word for a POSIX shell so that it reaches the command unchanged. */
export function quoteForPosixShell(word: string): string {
  if (word.includes('\0')) {
    throw new HostError(
      'EINVAL',
      `argument contains a NUL character and cannot be passed to a command: ${JSON.stringify(word)}`,
    );
  }
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** A whole command line for a POSIX shell: every word quoted, joined with spaces. */
export function posixCommandLine(words: readonly string[]): string {
  return words.map(quoteForPosixShell).join(' ');
}

/**
 * A path as an operand that can never be read as an option: `-x` becomes `./-x`.
 * (`find` has no `--`, and it keeps the other commands simple.)
 */
export function safePathOperand(path: string): string {
  return path.startsWith('-') ? `./${path}` : path;
}
