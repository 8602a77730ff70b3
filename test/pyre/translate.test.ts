// One table row per translation rule: the pattern, names re.match accepts, names it rejects
// (as CPython 3.11 with re.ASCII decides; the differential test cross-checks the engine).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePython, pyMatch } from '../../runner/src/pyre/index';

const RULES: [rule: string, pattern: string, match: string[], noMatch: string[]][] = [
  ['re.match is a prefix match', 'PROD', ['PROD', 'PRODUCTION', 'PROD-web'], ['prod', 'xPROD', '']],
  ['anchored at the start only, also across |', 'a|b', ['a', 'bx'], ['xa', 'xb']],
  ['^ is implied', '^PROD', ['PRODx'], ['x PROD']],
  ['.* selects everything', '.*', ['', 'anything', 'é😀'], []],
  ['the empty pattern selects everything', '', ['', 'x'], []],
  ['. does not match \\n', 'a.b', ['axb', 'a b', 'a\u2028b', 'a\rb'], ['a\nb']],
  ['(?s) makes . match \\n', '(?s)a.b', ['a\nb'], ['ab']],
  ['scoped (?s:...)', '(?s:a.)b', ['a\nb'], ['ab']],
  ['. takes one code point', '^.$', ['😀', 'é'], ['ab']],
  ['$ matches at the end or before a final \\n', 'PROD$', ['PROD', 'PROD\n'], ['PRODx', 'PROD\n\n', 'PROD\r\n']],
  ['(?m)$ matches before any \\n', '(?m)a$', ['a\nb'], ['ab']],
  ['(?m)^ matches after a \\n', '(?m)a\\n^b', ['a\nb'], []],
  ['^ without (?m) is the start only', 'a\\n^b', [], ['a\nb']],
  ['\\Z is the very end', 'PROD\\Z', ['PROD'], ['PROD\n', 'PRODx']],
  ['\\A is the start', '\\APROD', ['PROD'], ['xPROD']],
  ['\\w is ASCII', '\\w+$', ['abc_09', 'ABC'], ['é', 'café', 'a-b']],
  ['\\W is the ASCII complement', '\\W', ['é', '-', ' '], ['a', '_']],
  ['\\d is ASCII', '\\d', ['7'], ['٣', 'x']],
  ['\\s is [ \\t\\n\\r\\f\\v]', '\\s', [' ', '\t', '\n', '\r', '\f', '\v'], ['\u00a0', '\u2028', '\x1c', '\ufeff']],
  ['\\S', '\\S', ['\u00a0', '\x1c'], [' ']],
  ['\\b is an ASCII word boundary', '.*\\bweb\\b', ['PROD web', 'PROD-web-1', 'web'], ['PRODweb', 'PRODweb1']],
  ['\\b and \\B never match in an empty string', '\\b', [], ['']],
  ['\\B', '\\B', ['-'], ['', 'a']],
  ['(?i) folds ASCII letters only', '(?i)prod-é', ['PROD-é', 'pRoD-é'], ['PROD-É']],
  ['(?i) does not fold Kelvin sign or long s', '(?i)[ks]', ['K', 's', 'S'], ['\u212a', '\u017f']],
  ['(?i) in classes and ranges', '(?i)[Z-a]', ['z', 'A', '_'], ['b', 'B']],
  ['(?i) with negated classes', '(?i)[^a]', ['b'], ['a', 'A']],
  ['scoped (?i:...) and (?-i:...)', '(?i:a)(?-i:b)', ['Ab', 'ab'], ['aB']],
  ['(?-i:...) inside (?i)', '(?i)a(?-i:b)c', ['AbC'], ['ABC']],
  ['(?x) verbose mode', '(?x) P R O D  # comment', ['PROD'], ['P R O D']],
  ['(?x) keeps escaped blanks and class blanks', '(?x)a\\ b[ ]c', ['a b c'], ['abc']],
  ['(?#...) comments', 'PR(?#why)OD', ['PROD'], ['PR']],
  ['named groups and (?P=name)', '(?P<env>PROD|DEV)-(?P=env)', ['PROD-PROD', 'DEV-DEV'], ['PROD-DEV']],
  ['numbered backreference', '(a|b)\\1', ['aa', 'bb'], ['ab']],
  ['backreference followed by a digit', '(a)\\1(?:0)', ['aa0'], ['aa']],
  ['\\10 with ten groups is a backreference', '(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\\10', ['abcdefghijj'], ['abcdefghija']],
  ['three octal digits are an octal escape', '\\012', ['\n'], ['12']],
  ['octal escapes', '\\101\\0', ['A\0'], ['A']],
  ['hex and unicode escapes', '\\x41\\u00e9\\U0001F600', ['Aé😀'], ['Ae']],
  ['class escapes', '[\\x41-\\x43\\d]', ['B', '5'], ['D']],
  ['\\b in a class is backspace', '[\\b]', ['\b'], ['b']],
  ['leading ] in a class', '[]a]', [']', 'a'], ['b']],
  ['[^]a] negated with leading ]', '[^]a]', ['b'], [']', 'a']],
  ['trailing - in a class', '[a-]', ['-', 'a'], ['b']],
  ['astral ranges', '[😀-😂]', ['😁'], ['😃']],
  ['lazy quantifiers', 'a+?b', ['aab'], ['b']],
  ['{m,n}', 'a{2,3}$', ['aa', 'aaa'], ['a', 'aaaa']],
  ['{,n}', 'a{,2}b', ['b', 'aab'], ['aaab']],
  ['{m,}', 'a{2,}$', ['aaaa'], ['a']],
  ['x{ is a literal brace', 'x{', ['x{'], ['x']],
  ['x{1,2 is literal', 'x{1,2', ['x{1,2'], ['x']],
  ['{} is literal', 'a{}', ['a{}'], ['a']],
  ['possessive quantifiers do not give back', 'a*+a', [], ['aaa']],
  ['possessive ++', '[ab]++b', [], ['aab']],
  ['possessive that still matches', 'a++b', ['aab'], ['b']],
  ['atomic groups', '(?>ab|a)b', [], ['ab']],
  ['atomic groups that match', '(?>a|ab)c', ['ac'], ['abc']],
  ['look-ahead', '(?!TEST).*-web', ['PROD-web'], ['TEST-web']],
  ['look-behind', '.*(?<=-old)$', ['a-old'], ['a-new']],
  ['negative look-behind', '.*(?<!-old)$', ['a-new'], ['a-old']],
  ['quantified look-ahead', '(?=a)*b', ['b'], []],
  ['global flags with re.ASCII', '(?a)\\w', ['a'], ['é']],
  [
    'seed README: PRD-.*print[\\d{1,}]$',
    'PRD-.*print[\\d{1,}]$',
    ['PRD-x-print7', 'PRD-print{', 'PRD-print,'],
    ['PRD-print12'],
  ],
  ['seed README: DEV-.*(TEST|test).*', 'DEV-.*(TEST|test).*', ['DEV-foo-TEST-1', 'DEV-test'], ['DEV-Test']],
];

test('each translation rule matches what re.match(p, name, re.ASCII) returns', () => {
  for (const [rule, pattern, match, noMatch] of RULES) {
    const compiled = compilePython(pattern);
    assert.ok(
      compiled.ok,
      `${rule}: ${JSON.stringify(pattern)} should compile: ${compiled.ok || compiled.error.message}`,
    );
    for (const name of match)
      assert.equal(
        pyMatch(pattern, name),
        true,
        `${rule}: ${JSON.stringify(pattern)} should match ${JSON.stringify(name)}`,
      );
    for (const name of noMatch)
      assert.equal(
        pyMatch(pattern, name),
        false,
        `${rule}: ${JSON.stringify(pattern)} should not match ${JSON.stringify(name)}`,
      );
  }
});

test('compiled regexes are stateless, cached and shareable', () => {
  const first = compilePython('PROD.*');
  assert.ok(first.ok);
  assert.equal(compilePython('PROD.*'), first, 'cached result is reused');
  if (!first.ok) return;
  assert.equal(first.regex.global || first.regex.sticky, false);
  assert.equal(first.pattern, 'PROD.*');
  for (let i = 0; i < 3; i++) assert.equal(first.regex.test('PROD-1'), true);
  assert.equal(first.regex.test('xPROD'), false);
});

test('pyMatch is false for invalid and unsupported patterns', () => {
  assert.equal(pyMatch('PRD-[aA.*', 'PRD-a'), false);
  assert.equal(pyMatch('(a)(?(1)a|b)', 'aa'), false);
});

test('a (?:...) value cut at the colon is the invalid regex "(?"', () => {
  const r = compilePython('(?');
  assert.equal(r.ok, false);
  if (!r.ok) assert.deepEqual([r.error.message, r.error.pos], ['unexpected end of pattern', 2]);
});
