// Hover texts: plain English, and always clear that re.match is a prefix match.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainPattern, python2Differences, python2MeaningDifferences } from '../../runner/src/pyre/index';

test('explainPattern reads common VmBackup regexes in plain English', () => {
  assert.equal(explainPattern('PROD.*'), 'Names starting with "PROD" (then anything).');
  assert.equal(explainPattern('.*'), 'Every VM name (.* matches anything).');
  assert.equal(explainPattern(''), 'The empty regex: matches every VM name.');
  assert.equal(explainPattern('.*SAVE$'), 'Names ending with "SAVE" ($ also accepts a trailing newline).');
  assert.equal(explainPattern('DEV-V.*TEMP\\Z'), 'Names that are exactly "DEV-V" then anything then "TEMP".');
});

test('explainPattern stresses the prefix match', () => {
  const text = explainPattern('PROD');
  assert.match(text, /prefix match/);
  assert.match(text, /"PROD-old" matches too/);
  assert.match(explainPattern('PRD-a*'), /"a" zero or more times/);
  // The v3.0 wildcard habit: PROD* means "PRO" then optional Ds, i.e. any name starting with PRO.
  assert.match(
    explainPattern('PROD*'),
    /^Names starting with "PRO": the trailing "D" zero or more times can match nothing/,
  );
  assert.match(explainPattern('a*'), /^Every VM name: the regex \("a" zero or more times\) can match zero characters/);
  assert.match(explainPattern('(?:PROD)?'), /^Every VM name/);
  assert.doesNotMatch(explainPattern('a*$'), /Every VM name/);
});

test('explainPattern flags the unescaped dot, case folding, errors and unsupported constructs', () => {
  assert.match(explainPattern('PROD-ubuntu12.xs66'), /write \\\. for a literal dot/);
  assert.doesNotMatch(explainPattern('PROD\\.web'), /literal dot/);
  assert.match(explainPattern('(?i)web\\d+'), /ignoring ASCII letter case/);
  assert.equal(explainPattern('PRD-[aA.*'), 'Invalid Python regex: unterminated character set at position 4.');
  assert.match(explainPattern('(a)(?(1)b|c)'), /cannot be previewed here: conditional group/);
});

test('python2Differences: for Python-3-valid patterns, the reasons Python 2.7 rejects them', () => {
  assert.deepEqual(python2Differences('PROD.*'), []);
  assert.deepEqual(python2Differences('a++'), ['Possessive quantifiers (*+, ++, ?+, {m,n}+) are new in Python 3.11.']);
  assert.deepEqual(python2Differences('(?>a)'), ['Atomic groups (?>...) are new in Python 3.11.']);
  assert.deepEqual(python2Differences('(?i:a)b'), ['Scoped inline flags such as (?i:...) are new in Python 3.6.']);
  assert.deepEqual(python2Differences('(?a)\\w'), ['The (?a) flag does not exist in Python 2.7.']);
  assert.deepEqual(python2Differences('(?P<café>x)'), ['Python 2.7 only allows ASCII group names (café).']);
  // Constructs only spelled like them inside a class are not reported.
  assert.deepEqual(python2Differences('[(?>a++]'), []);
});

test('python2Differences: for Python-3-invalid patterns, where Python 2.7 accepted them', () => {
  assert.deepEqual(python2Differences('PROD\\q'), [
    'Python 2.7 read the unknown escape \\q as the letter "q"; Python 3.7+ rejects it.',
  ]);
  assert.match(python2Differences('a(?i)').join(' '), /anywhere/);
  assert.match(python2Differences('(?u)\\w').join(' '), /accepted \(\?u\)/);
  assert.match(python2Differences('(?L)a').join(' '), /locale/);
  assert.match(python2Differences('\\u00E').join(' '), /no \\u, \\U or \\N escapes/);
  assert.match(python2Differences('\\N{EM').join(' '), /no \\u, \\U or \\N escapes/);
  assert.match(python2Differences('\\400').join(' '), /octal escapes above/);
  assert.match(python2Differences('(?P<a>(?P=a))').join(' '), /accepted this group reference/);
  assert.deepEqual(python2Differences('a(b'), []);
});

test('python2MeaningDifferences: \\u, \\U and \\N were plain letters in Python 2.7', () => {
  assert.deepEqual(python2MeaningDifferences('caf\\u00e9'), [
    'Python 2.7 read \\u as the plain letter "u" (no \\u escapes in Python 2 str patterns).',
  ]);
  assert.equal(python2MeaningDifferences('\\N{EM DASH}[\\U0001F600]').length, 2);
  assert.deepEqual(python2MeaningDifferences('\\\\u'), [], 'an escaped backslash before u');
  assert.deepEqual(python2MeaningDifferences('PROD.*'), []);
  assert.match(python2MeaningDifferences('(a)(?<=\\1)').join(' '), /group references inside a look-behind/);
});
