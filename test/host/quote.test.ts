import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { posixCommandLine, quoteForPosixShell, safePathOperand } from '../../runner/src/host/quote';
import { isHostError } from '../../runner/src/host/errors';
import { hostileNames } from './hostile-names';

const shells = ['/bin/sh', '/bin/bash', '/bin/dash'].filter((shell) => existsSync(shell));

/** What the shell makes of our command line: printf prints each word it received. */
function wordsSeenByShell(shell: string, words: string[]): string[] {
  const line = `printf '%s\\0' ${posixCommandLine(words)}`;
  const result = spawnSync(shell, ['-c', line], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout.split('\0').slice(0, -1);
}

// A small deterministic generator (no flaky seeds): xorshift32.
function randomWords(count: number, seed: number): string[] {
  const alphabet = [...`abc XYZ019'"\`$(){}[]<>|&;*?!#~%=:,.\\/-_+@^\t\n\r`, 'é', '日', '🚀', '\x01', '\x1b', '\x7f'];
  let state = seed;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  return Array.from({ length: count }, () =>
    Array.from({ length: Math.floor(next() * 24) }, () => alphabet[Math.floor(next() * alphabet.length)]).join(''),
  );
}

test('at least /bin/sh is there to check quoting against', () => {
  assert.ok(shells.includes('/bin/sh'));
});

for (const shell of shells) {
  test(`${shell}: hostile names reach the command unchanged and run nothing`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'vmbackup-quote-'));
    try {
      const marker = join(dir, 'pwned');
      const names = hostileNames(marker);
      assert.deepEqual(wordsSeenByShell(shell, names), names);
      assert.equal(existsSync(marker), false, 'a name executed a command');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`${shell}: 2000 random strings of shell metacharacters round-trip`, () => {
    const words = randomWords(2000, 0x9e3779b9);
    for (let i = 0; i < words.length; i += 250) {
      const batch = words.slice(i, i + 250);
      assert.deepEqual(wordsSeenByShell(shell, batch), batch);
    }
  });
}

test('the empty string stays one (empty) argument', () => {
  assert.deepEqual(wordsSeenByShell('/bin/sh', ['', 'a', '']), ['', 'a', '']);
  assert.equal(quoteForPosixShell(''), "''");
});

test('single quotes are closed, escaped and reopened', () => {
  assert.equal(quoteForPosixShell("it's"), `'it'\\''s'`);
  assert.equal(quoteForPosixShell('$(x)'), `'$(x)'`);
});

test('a NUL byte is refused instead of being cut off silently', () => {
  assert.throws(
    () => quoteForPosixShell('a\0b'),
    (error) => isHostError(error, 'EINVAL'),
  );
});

test('a path starting with - cannot be read as an option', () => {
  assert.equal(safePathOperand('-rf'), './-rf');
  assert.equal(safePathOperand('/backups/-rf'), '/backups/-rf');
  assert.equal(safePathOperand('backups'), 'backups');
});
