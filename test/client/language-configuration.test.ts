// syntaxes/language-configuration.json: values are regexes and VM names, so typing `[` must
// not insert a `]` (VS Code falls back to `brackets` for auto-closing when the list is absent,
// so it must be present and empty). Brackets still match and still wrap a selection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const config = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'syntaxes', 'language-configuration.json'), 'utf8'),
);

test('no bracket auto-closes (a regex value gets exactly what is typed)', () => {
  assert.deepEqual(config.autoClosingPairs, []);
  assert.ok(
    config.brackets.some(([open]: string[]) => open === '['),
    'brackets still match',
  );
  assert.ok(
    config.surroundingPairs.some(([open]: string[]) => open === '['),
    'a selection is still wrapped',
  );
});

test(
  'word-based suggestions are off for VmBackup files ' + '(they would offer the value just typed, and Enter took it)',
  () => {
    const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8'));
    assert.equal(manifest.contributes.configurationDefaults['[vmbackup]']['editor.wordBasedSuggestions'], 'off');
  },
);
