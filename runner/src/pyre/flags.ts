// Inline flag groups `(?aiLmsux)`, `(?flags:...)`, `(?-flags:...)`: CPython's `_parse_flags`.
import type { FlagSet } from './ast';
import type { ParserState } from './state';
import { type Tokenizer, cpLength } from './tokenizer';

export const FLAG_LETTERS: Record<string, keyof FlagSet> = {
  i: 'ignoreCase',
  L: 'locale',
  m: 'multiline',
  s: 'dotAll',
  x: 'verbose',
  a: 'ascii',
  t: 'template',
  u: 'unicode',
};

const TYPE_FLAGS = new Set<keyof FlagSet>(['ascii', 'locale', 'unicode']);
const GLOBAL_FLAGS = new Set<keyof FlagSet>(['template']);

const isAlpha = (s: string) => /^\p{L}$/u.test(s);
const isFlag = (s: string | null): s is string => s !== null && Object.hasOwn(FLAG_LETTERS, s);

export interface ScopedFlags {
  add: Set<keyof FlagSet>;
  del: Set<keyof FlagSet>;
}

/**
 * Parses the flags after `(?` (the first letter is `char`). Returns null for a global flag
 * group `(?i)` (the flags are merged into `state.flags`), or the scoped add/remove sets.
 */
export function parseFlags(source: Tokenizer, state: ParserState, first: string): ScopedFlags | null {
  const add = new Set<keyof FlagSet>();
  const del = new Set<keyof FlagSet>();
  let char: string | null = first;
  if (char !== '-') {
    for (;;) {
      const flag: keyof FlagSet = FLAG_LETTERS[char];
      if (char === 'L') throw source.error("bad inline flags: cannot use 'L' flag with a str pattern");
      add.add(flag);
      if (TYPE_FLAGS.has(flag) && [...add].filter((f) => TYPE_FLAGS.has(f)).length > 1) {
        throw source.error("bad inline flags: flags 'a', 'u' and 'L' are incompatible");
      }
      char = source.get();
      if (char === null) throw source.error('missing -, : or )');
      if (char === ')' || char === '-' || char === ':') break;
      if (!isFlag(char)) {
        throw source.error(isAlpha(char) ? 'unknown flag' : 'missing -, : or )', cpLength(char));
      }
    }
  }
  if (char === ')') {
    for (const flag of add) {
      state.flags[flag] = true;
      state.writtenGlobalFlags.add(flag);
    }
    return null;
  }
  if ([...add].some((f) => GLOBAL_FLAGS.has(f))) {
    throw source.error('bad inline flags: cannot turn on global flag', 1);
  }
  if (char === '-') {
    char = source.get();
    if (char === null) throw source.error('missing flag');
    if (!isFlag(char)) throw source.error(isAlpha(char) ? 'unknown flag' : 'missing flag', cpLength(char));
    for (;;) {
      const flag: keyof FlagSet = FLAG_LETTERS[char];
      if (TYPE_FLAGS.has(flag)) throw source.error("bad inline flags: cannot turn off flags 'a', 'u' and 'L'");
      del.add(flag);
      char = source.get();
      if (char === null) throw source.error('missing :');
      if (char === ':') break;
      if (!isFlag(char)) throw source.error(isAlpha(char) ? 'unknown flag' : 'missing :', cpLength(char));
    }
  }
  if ([...del].some((f) => GLOBAL_FLAGS.has(f))) {
    throw source.error('bad inline flags: cannot turn off global flag', 1);
  }
  if ([...add].some((f) => del.has(f))) throw source.error('bad inline flags: flag turned on and off', 1);
  return { add, del };
}
