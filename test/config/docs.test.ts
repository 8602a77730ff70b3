// docs/diagnostics.md documents every code (the language server links to #vmbNNN).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CODES, diagnosticDocPath, KEY_SCHEMA, CLI_OPTIONS } from '../../runner/src/config';

const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'diagnostics.md'), 'utf8');

for (const code of Object.values(CODES)) {
  test(`docs/diagnostics.md has a section for ${code}`, () => {
    assert.ok(doc.includes(`<a id="${code.toLowerCase()}"></a>\n## ${code}\n`), `anchor and heading for ${code}`);
    assert.ok(doc.includes(`[${code}](#${code.toLowerCase()})`), `summary row for ${code}`);
    assert.equal(diagnosticDocPath(code), `docs/diagnostics.md#${code.toLowerCase()}`);
  });
}

test('codes are unique', () => {
  const all = Object.values(CODES);
  assert.equal(new Set(all).size, all.length);
});

test('docs/config-keys.md documents every key and CLI word with the schema texts', () => {
  const keys = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'config-keys.md'), 'utf8');
  for (const spec of KEY_SCHEMA) {
    assert.ok(keys.includes(`<a id="${spec.key}"></a>\n## \`${spec.key}\``), spec.key);
    assert.ok(keys.includes(spec.doc), `doc text of ${spec.key} is current`);
  }
  for (const o of CLI_OPTIONS) assert.ok(keys.includes(o.doc), o.name);
});
