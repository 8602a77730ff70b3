// Runs the TextMate grammar's annotated fixtures (test/grammar/*.cfg) through
// vscode-tmgrammar-test, which tokenizes them with vscode-textmate + Oniguruma exactly as
// VS Code does, and checks that the manifest wires the grammar to the `vmbackup` language.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KEY_SCHEMA } from '../../runner/src/config/schema';

const root = join(import.meta.dirname, '..', '..');
const grammarPath = join(root, 'syntaxes', 'vmbackup.tmLanguage.json');
const cli = join(root, 'node_modules', 'vscode-tmgrammar-test', 'dist', 'unit.js');

function runGrammarTest(fixture: string) {
  return spawnSync(process.execPath, [cli, '--compact', '-g', grammarPath, fixture], { cwd: root, encoding: 'utf8' });
}

const fixtures = readdirSync(import.meta.dirname).filter((name) => name.endsWith('.cfg'));

test('there are annotated grammar fixtures', () => {
  assert.ok(fixtures.length >= 3, `found ${fixtures.join(', ')}`);
});

for (const fixture of fixtures) {
  test(`grammar fixture ${fixture}`, () => {
    const result = runGrammarTest(join('test', 'grammar', fixture));
    assert.equal(result.status, 0, result.stdout + result.stderr);
  });
}

test('a wrong scope assertion is reported (the harness really checks)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vmbackup-grammar-'));
  try {
    const file = join(dir, 'wrong.cfg');
    writeFileSync(
      file,
      '# SYNTAX TEST "source.vmbackup" "wrong on purpose"\nvm-export=PROD.*\n' +
        '#         ^^^^ string.unquoted.vm-name.vmbackup\n',
    );
    const result = runGrammarTest(file);
    assert.notEqual(result.status, 0);
    assert.match(result.stdout + result.stderr, /string\.unquoted\.vm-name\.vmbackup/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("every key of the runner's key schema is highlighted as a known key", () => {
  const dir = mkdtempSync(join(tmpdir(), 'vmbackup-grammar-'));
  try {
    const lines = ['# SYNTAX TEST "source.vmbackup" "generated from KEY_SCHEMA"'];
    for (const spec of KEY_SCHEMA) {
      const keyScope = spec.kind === 'scalar' ? 'setting' : 'selection';
      lines.push(spec.example, `# <${'-'.repeat(spec.key.length)} support.type.property-name.${keyScope}.vmbackup`);
      const valueStart = spec.example.indexOf('=') + 1;
      const carets = `#${' '.repeat(valueStart - 1)}${'^'.repeat(spec.example.length - valueStart)}`;
      lines.push(`${carets} - invalid.illegal.value.vmbackup`, `${carets} - invalid.illegal.max-backups.vmbackup`);
    }
    const file = join(dir, 'schema.cfg');
    writeFileSync(file, lines.join('\n') + '\n');
    const result = runGrammarTest(file);
    assert.equal(result.status, 0, result.stdout + result.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('package.json contributes the grammar and language configuration for `vmbackup`', () => {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const language = manifest.contributes.languages.find((l: { id: string }) => l.id === 'vmbackup');
  assert.ok(language, 'language vmbackup contributed');
  const grammar = manifest.contributes.grammars.find((g: { language: string }) => g.language === 'vmbackup');
  assert.equal(grammar.scopeName, 'source.vmbackup');
  const grammarJson = JSON.parse(readFileSync(join(root, grammar.path), 'utf8'));
  assert.equal(grammarJson.scopeName, grammar.scopeName);
  const configuration = JSON.parse(readFileSync(join(root, language.configuration), 'utf8'));
  assert.equal(configuration.comments.lineComment, '#');
  assert.deepEqual(language.filenamePatterns, ['*.vmbackup.cfg', '**/NAUbackup/**/*.cfg', '**/VmBackup/**/*.cfg']);
});
