// Every CPython error message the parser reproduces, with CPython 3.11's exact position
// (values taken from `re.compile(p, re.ASCII)`; the differential test re-checks them live).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePython, parsePython } from '../../runner/src/pyre/index';

const CASES: [pattern: string, message: string, pythonPos: number | null][] = [
  ['a(b', 'missing ), unterminated subpattern', 1],
  ['(?P<a>', 'missing ), unterminated subpattern', 0],
  ['(?<!', 'missing ), unterminated subpattern', 0],
  ['\\q', 'bad escape \\q', 0],
  ['[\\A]', 'bad escape \\A', 1],
  ['\\U00110000', 'bad escape \\U00110000', 0],
  ['\\', 'bad escape (end of pattern)', 0],
  ['*', 'nothing to repeat', 0],
  ['\\b*', 'nothing to repeat', 2],
  ['a**', 'multiple repeat', 2],
  ['x{1,2}{3}', 'multiple repeat', 6],
  ['a)', 'unbalanced parenthesis', 1],
  ['[a', 'unterminated character set', 0],
  ['[z-a]', 'bad character range z-a', 1],
  ['[a-\\d]', 'bad character range a-\\d', 1],
  ['(?<x)', 'unknown extension ?<x', 1],
  ['(?Px)', 'unknown extension ?Px', 1],
  ['(?z)', 'unknown extension ?z', 1],
  ['(?<=a*)b', 'look-behind requires fixed-width pattern', null],
  ['(?<=(?:a{65536}){65536})', 'looks too much behind', null],
  ['(a(?P=n))', "unknown group name 'n'", 6],
  ['(?P=zz)', "unknown group name 'zz'", 4],
  ['(?(x)a)', "unknown group name 'x'", 3],
  ['(a\\1)', 'cannot refer to an open group', 2],
  ['(?<=(a)\\1)', 'cannot refer to group defined in the same lookbehind subpattern', 9],
  ['\\2', 'invalid group reference 2', 1],
  ['(?<=\\1)(a)', 'invalid group reference 1', 5],
  ['(?(2)a)', 'invalid group reference 2', 3],
  ['(?i)a(?s)b', 'global flags not at the start of the expression', 5],
  ['a(?i)', 'global flags not at the start of the expression', 1],
  ['(?:a)(?i)', 'global flags not at the start of the expression', 5],
  ['\\x4', 'incomplete escape \\x4', 0],
  ['\\u00e', 'incomplete escape \\u00e', 0],
  ['\\U0011000', 'incomplete escape \\U0011000', 0],
  ['\\400', 'octal escape value \\400 outside of range 0-0o377', 0],
  ['[\\400]', 'octal escape value \\400 outside of range 0-0o377', 1],
  ['(?P<1a>x)', "bad character in group name '1a'", 4],
  ['(?(1a)x)', "bad character in group name '1a'", 3],
  ['(?P<a>x)(?P<a>y)', "redefinition of group name 'a' as group 2; was group 1", 12],
  ['(?P', 'unexpected end of pattern', 3],
  ['(?', 'unexpected end of pattern', 2],
  ['(?#x', 'missing ), unterminated comment', 0],
  ['(?i', 'missing -, : or )', 3],
  ['(?-', 'missing flag', 3],
  ['(?ix-s:a)b(?i-:c)', 'missing flag', 14],
  ['(?-i', 'missing :', 4],
  ['(?i-i', 'missing :', 5],
  ['(?i-', 'missing flag', 4],
  ['(?iz)', 'unknown flag', 3],
  ['(?-iz:a)', 'unknown flag', 4],
  ['(?ié)', 'unknown flag', 3],
  ['(?i-i:a)', 'bad inline flags: flag turned on and off', 5],
  ['(?au)', "bad inline flags: flags 'a', 'u' and 'L' are incompatible", 4],
  ['(?-a:x)', "bad inline flags: cannot turn off flags 'a', 'u' and 'L'", 4],
  ['(?t:x)', 'bad inline flags: cannot turn on global flag', 3],
  ['(?-t:x)', 'bad inline flags: cannot turn off global flag', 4],
  ['(?L)', "bad inline flags: cannot use 'L' flag with a str pattern", 3],
  ['a{3,1}', 'min repeat greater than max repeat', 2],
  ['(?(0)a)', 'bad group number', 3],
  ['(?(1', 'missing ), unterminated name', 3],
  ['(a)(?(1)b|c|d)', 'conditional backref with more than two branches', 11],
  ['(?P<a', 'missing >, unterminated name', 4],
  ['(?P<>a)', 'missing group name', 4],
  ['\\N', 'missing {', 2],
  ['\\N{', 'missing character name', 3],
  ['\\N{X', 'missing }, unterminated name', 3],
  ['(?u)', 'ASCII and UNICODE flags are incompatible', null],
  ['a{99999999999}', 'the repetition number is too large', null],
  ['(?t)a*', 'internal: unsupported template operator MAX_REPEAT', null],
  ['(?t)a*?', 'internal: unsupported template operator MIN_REPEAT', null],
];

test('each CPython error message and position is reproduced', () => {
  for (const [pattern, message, pythonPos] of CASES) {
    const result = parsePython(pattern);
    assert.equal(result.ok, false, `${JSON.stringify(pattern)} should be invalid`);
    if (result.ok) continue;
    assert.deepEqual(
      { message: result.error.message, pythonPos: result.error.pythonPos, unsupported: result.error.unsupported },
      { message, pythonPos, unsupported: false },
      JSON.stringify(pattern),
    );
    if (pythonPos !== null) assert.equal(result.error.pos, pythonPos);
  }
});

test('errors without a CPython position still point the editor at the construct', () => {
  const at = (pattern: string) => {
    const r = compilePython(pattern);
    assert.equal(r.ok, false);
    return r.ok ? -1 : r.error.pos;
  };
  assert.equal(at('ab(?<=a*)b'), 2); // the look-behind's "("
  assert.equal(at('x{99999999999}'), 1); // the "{"
});

test('positions are UTF-16 code units even after astral characters', () => {
  // CPython counts code points (pos 2); the editor needs code units (3: 😀 is 2 units).
  const r = parsePython('😀a)');
  assert.equal(r.ok, false);
  if (!r.ok) assert.deepEqual([r.error.message, r.error.pos], ['unbalanced parenthesis', 3]);
  const esc = parsePython('é😀\\q');
  assert.equal(esc.ok, false);
  if (!esc.ok) assert.equal(esc.error.pos, 3);
});

test('group names follow Python identifiers and repr() quoting', () => {
  assert.equal(parsePython('(?P<é>a)(?P=é)').ok, true);
  const quoted = parsePython("(?P<it's>a)");
  assert.equal(quoted.ok, false);
  if (!quoted.ok) assert.equal(quoted.error.message, `bad character in group name "it's"`);
});

test('constructs valid in Python but not translatable are reported unsupported, never mistranslated', () => {
  const cases: [string, RegExp][] = [
    ['(a)(?(1)b|c)', /conditional group/],
    ['(?P<g>a)?(?(g)b)', /conditional group/],
    ['\\N{EM DASH}', /named Unicode escape \\N\{EM DASH\}/],
    ['[\\N{EM DASH}-z]', /named Unicode escape/],
    ['(?u:\\w)', /\(\?u:\.\.\.\) Unicode matching/],
    ['(a)?\\1', /backreference to group 1 which may not have matched/],
    ['(?:(a)|b)\\1', /backreference to group 1/],
    ['(a)*\\1', /backreference to group 1/],
    ['(?i)(a)\\1', /case-insensitive backreference/],
    ['(?>(?:|a)*)$', /repeated subpattern that prefers the empty string/],
    ['(?=((?:a??)*))\\1$', /repeated subpattern that prefers the empty string/],
  ];
  for (const [pattern, message] of cases) {
    const r = compilePython(pattern);
    assert.equal(r.ok, false, pattern);
    if (r.ok) continue;
    assert.equal(r.error.unsupported, true, pattern);
    assert.match(r.error.message, /^unsupported: /);
    assert.match(r.error.message, message, pattern);
  }
  // Our size limits (translation and V8's compilation grow faster than linearly beyond them).
  const huge = compilePython('x'.repeat(200_000));
  assert.equal(huge.ok, false);
  if (!huge.ok)
    assert.equal(huge.error.message, 'unsupported: regex too large to run safely (200000 characters; at most 10000)');
  const groups = compilePython('(a|b)'.repeat(501));
  assert.equal(groups.ok, false);
  if (!groups.ok)
    assert.equal(groups.error.message, 'unsupported: regex too large to run safely (501 groups; at most 500)');
  assert.equal(compilePython('(a|b)'.repeat(500)).ok, true);
  // V8's own limit: reported when compiling, not thrown later from regex.test().
  const deep = compilePython('a++'.repeat(3300));
  assert.equal(deep.ok, false);
  if (!deep.ok) assert.match(deep.error.message, /^unsupported: JavaScript cannot build this regex \(Stack overflow\)/);
  // A real syntax error after an unsupported construct wins, as in CPython.
  const r = compilePython('\\N{EM DASH}(');
  assert.equal(r.ok, false);
  if (!r.ok) assert.deepEqual([r.error.message, r.error.unsupported], ['missing ), unterminated subpattern', false]);
});

test('nesting depth stops where CPython hits its recursion limit, never overflowing our stack', () => {
  const nested = (n: number) => '('.repeat(n) + 'a' + ')'.repeat(n);
  assert.equal(compilePython(nested(495)).ok, true);
  for (const pattern of [nested(496), '(?:'.repeat(5000), '('.repeat(100_000)]) {
    const r = parsePython(pattern);
    assert.equal(r.ok, false);
    if (!r.ok) assert.deepEqual([r.error.message, r.error.pythonPos], ['maximum recursion depth exceeded', null]);
  }
});
