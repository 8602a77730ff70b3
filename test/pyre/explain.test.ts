// Hover texts: plain English, and always clear that re.match is a prefix match.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainPattern, python2Differences } from '../../runner/src/pyre/index';

test('explainPattern reads common VmBackup regexes in plain English', () => {
  assert.equal(explainPattern('PROD.*'), 'Names starting with "PROD" (then anything).');
  assert.equal(explainPattern('.*'), 'Every VM name (.* matches anything).');
  assert.equal(explainPattern(''), 'The empty regex: matches every VM name.');
  assert.equal(explainPattern('.*SAVE$'), 'Names ending with "SAVE" ($ also accepts a trailing newline).');
  assert.equal(
    explainPattern('DEV-V.*TEMP\\Z'),
    'Names that are exactly "DEV-V" then anything then "TEMP".',
  );
});

test('explainPattern stresses the prefix match', () => {
  const text = explainPattern('PROD');
  assert.match(text, /prefix match/);
  assert.match(text, /"PROD-old" matches too/);
  assert.match(explainPattern('PRD-a*'), /"a" zero or more times/);
});

test('explainPattern flags the unescaped dot, case folding, errors and unsupported constructs', () => {
  assert.match(explainPattern('PROD-ubuntu12.xs66'), /write \\\. for a literal dot/);
  assert.doesNotMatch(explainPattern('PROD\\.web'), /literal dot/);
  assert.match(explainPattern('(?i)web\\d+'), /ignoring ASCII letter case/);
  assert.equal(
    explainPattern('PRD-[aA.*'),
    'Invalid Python regex: unterminated character set (at character 5); VmBackup skips this line.',
  );
  assert.match(explainPattern('(a)(?(1)b|c)'), /cannot be previewed here: conditional group/);
});

test('python2Differences names what Python 2 VmBackup read differently', () => {
  assert.match(python2Differences('PROD\\q').join(' '), /Python 2 accepted the unknown escape \\q/);
  assert.match(python2Differences('a(?i)').join(' '), /anywhere/);
  assert.match(python2Differences('(?u)\\w').join(' '), /Unicode/);
  assert.match(python2Differences('a++').join(' '), /possessive/);
  assert.match(python2Differences('(?>a)').join(' '), /Atomic/);
  assert.match(python2Differences('\\u00e9').join(' '), /no \\u/);
  assert.deepEqual(python2Differences('PROD.*'), []);
});
