// Every diagnostic whose section in docs/diagnostics.md names an automatic fix gets a code
// action, and applying it removes that diagnostic; the docs and the code actions agree in both
// directions. Plus "Fix all" (source.fixAll.vmbackup) applies only the safe fixes, and errors
// get no "Suppress" action. Direct calls to the pure service functions.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CodeAction } from 'vscode-languageserver';
import { CODES } from '../../runner/src/config';
import { codeActions, FIX_ALL_KIND } from '../../server/src/service/codeActions';
import { applyEdits, ROOT } from './harness';
import { contextFor, diagnosticsOf, poolOf, type ContextOptions } from './service';

const DOC = readFileSync(join(ROOT, 'docs', 'diagnostics.md'), 'utf8');

/** Codes whose section says the fix is automatic ("*Fix (automatic" or "*Automatic*"). */
function documentedAutomatic(): Set<string> {
  const out = new Set<string>();
  for (const code of Object.values(CODES)) {
    const start = DOC.indexOf(`<a id="${code.toLowerCase()}"></a>`);
    const next = DOC.indexOf('<a id="vmb', start + 1);
    const section = DOC.slice(start, next === -1 ? undefined : next);
    if (/\*Fix \(automatic|\*Automatic\*/.test(section)) out.add(code);
  }
  return out;
}

const POOL = poolOf(['PROD-WinSvr', 'PROD-db', 'web1', 'web2', 'a']);

/** A document showing the code on `line`, and the options it needs (pool, settings). */
const SAMPLES: Record<string, { text: string; line: number; options?: ContextOptions }> = {
  VMB001: { text: 'max_backups 3\nvm-export=a\n', line: 0 },
  VMB003: { text: 'vm-export=a\n  # note\n', line: 1 },
  VMB004: { text: 'max_backups=3\nvm-export=a\nmax_backups=5\n', line: 2 },
  VMB005: { text: 'max_backups=3\nvm-export=a\nmax_backup=5\n', line: 2 },
  VMB006: { text: 'pool_db_backup=yes\nvm-export=a\n', line: 0 },
  VMB007: { text: 'max_backups=three\nvm-export=a\n', line: 0 },
  VMB008: { text: 'vdi_export_format=VHD\nvm-export=a\n', line: 0 },
  VMB009: { text: 'max_backups=3 # three\nvm-export=a\n', line: 0 },
  VMB010: { text: 'vm-export=a:three\n', line: 0 },
  VMB011: { text: 'vm-export=a:0\n', line: 0 },
  VMB012: { text: 'vm-export=a:3:4\n', line: 0 },
  VMB013: { text: 'vm-export=PROD.*\nexclude=PROD-db\n', line: 1 },
  VMB014: { text: 'vm-export=\n', line: 0 },
  VMB015: { text: 'exclude=\nvm-export=a\n', line: 0 },
  VMB016: { text: 'vm-export=PROD*\n', line: 0 },
  VMB017: { text: 'vm-export=file.server\n', line: 0 },
  VMB020: { text: 'compress=gzip\nvm-export=a\n', line: 0, options: { settings: { compatibility: 'original' } } },
  VMB022: { text: 'backup_dir=\nvm-export=a\n', line: 0 },
  VMB023: { text: 'vm-export=web1 :3\n', line: 0 },
  VMB030: { text: 'vm-export=*PROD\n', line: 0 },
  VMB031: { text: 'vm-export=(?:web|db).*\n', line: 0 },
  VMB040: { text: 'vm-export=prod-winsvr\n', line: 0, options: { pool: POOL } },
  VMB041: { text: 'vm-export=web1:3\nvm-export=web.*\n', line: 0, options: { pool: POOL } },
  VMB045: { text: 'vm-export=PROD.*\nexclude=PROD-db\n', line: 0, options: { pool: POOL } },
};

function fixesFor(code: string): { actions: CodeAction[]; text: string; options?: ContextOptions } {
  const sample = SAMPLES[code]!;
  const context = contextFor(sample.text, sample.options);
  const diagnostics = diagnosticsOf(context);
  assert.ok(
    diagnostics.some((d) => d.code === code && d.range.start.line === sample.line),
    `${code} on line ${sample.line + 1}: ${JSON.stringify(diagnostics.map((d) => d.code))}`,
  );
  const at = { line: sample.line, character: 0 };
  const actions = codeActions(context, diagnostics, { start: at, end: at }).filter(
    (a) => a.kind === 'quickfix' && a.diagnostics?.[0]?.code === code && !a.title.startsWith('Suppress'),
  );
  return { actions, text: sample.text, ...(sample.options ? { options: sample.options } : {}) };
}

describe('every documented remedy has a code action', () => {
  const automatic = documentedAutomatic();

  it('the docs mark exactly the codes that have fixes', () => {
    assert.deepEqual([...automatic].sort(), Object.keys(SAMPLES).sort());
  });

  for (const code of Object.keys(SAMPLES)) {
    it(`${code}: the preferred fix removes the diagnostic`, () => {
      const { actions, text, options } = fixesFor(code);
      assert.ok(actions.length > 0, `a fix for ${code}`);
      assert.equal(actions[0]!.isPreferred, true);
      const fixed = applyEdits(text, actions[0]!.edit!.changes!['file:///work/test.cfg']!);
      const after = diagnosticsOf(contextFor(fixed, options));
      assert.ok(
        !after.some((d) => d.code === code),
        `${code} gone after "${actions[0]!.title}": ${JSON.stringify(fixed)}`,
      );
      // A fix never trades one problem for a duplicate setting.
      assert.ok(!after.some((d) => d.code === 'VMB004') || code === 'VMB004', fixed);
    });
  }

  it('the case typo "Did you mean \'PROD-WinSvr\'?" is fixed to that name', () => {
    const { actions, text } = fixesFor('VMB040');
    assert.equal(actions[0]!.title, "Change to 'PROD-WinSvr'");
    assert.equal(applyEdits(text, actions[0]!.edit!.changes!['file:///work/test.cfg']!), 'vm-export=PROD-WinSvr\n');
  });
});

describe('suppression and fix-all actions', () => {
  it('offers "Suppress" for warnings only: an error is what the runner refuses', () => {
    const context = contextFor('max_backups=x\nvm-export=PROD*\n');
    const diagnostics = diagnosticsOf(context);
    const titles = (line: number) =>
      codeActions(context, diagnostics, { start: { line, character: 0 }, end: { line, character: 0 } }).map(
        (a) => a.title,
      );
    assert.ok(!titles(0).some((t) => t.startsWith('Suppress')), titles(0).join('\n'));
    assert.ok(titles(1).includes('Suppress VMB016 on this line (# vmbackup-disable-next-line)'));
  });

  it('source.fixAll.vmbackup applies every safe fix once and nothing else; only when asked for', () => {
    const text =
      'vm-export=PROD*\nvm-export=a:0\nvm-export=\nexclude=x\nexclude=y\nexclude=\ncompress=gzip\ncompress=zstd\n';
    const context = contextFor(text);
    const diagnostics = diagnosticsOf(context);
    const whole = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    assert.ok(!codeActions(context, diagnostics, whole).some((a) => a.kind === FIX_ALL_KIND), 'not a light-bulb item');
    const [fixAll, ...rest] = codeActions(context, diagnostics, whole, ['source.fixAll']);
    assert.equal(rest.length, 0);
    assert.equal(fixAll!.kind, 'source.fixAll.vmbackup');
    const fixed = applyEdits(text, fixAll!.edit!.changes!['file:///work/test.cfg']!);
    // PROD* (VMB016) changes what is selected: left for the user. The rest is safe.
    assert.equal(fixed, 'exclude=x\nexclude=y\nvm-export=PROD*\nvm-export=a\nvm-export=.*\ncompress=zstd\n');
    assert.deepEqual(
      diagnosticsOf(contextFor(fixed)).map((d) => d.code),
      ['VMB016'],
    );
  });
});

describe('a fix marked safe changes nothing the runner does', () => {
  const pool = poolOf(['PROD-a', 'PROD-b', 'PROD-db', 'web1', 'web2', 'DEV-x']);
  const texts = [
    'vm-export=PROD.*\nexclude=PROD-db\nvm-export=web1:0\nexclude=\nvm-export=\n',
    'vdi-export=web1\nvm-export=.*:3\nexclude=DEV-x\nexclude=web2\ncompress=gzip\ncompress=zstd\n',
    'max_backups=2\nvm-export=web.*:-1\nvm-export=:2\n',
  ];
  for (const text of texts) {
    it(`same VMs, same :N, same settings after "Fix all": ${JSON.stringify(text)}`, () => {
      const before = contextFor(text, { pool });
      const zero = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
      const [fixAll] = codeActions(before, diagnosticsOf(before), zero, ['source.fixAll']);
      assert.ok(fixAll, 'something to fix');
      const fixed = applyEdits(text, fixAll.edit!.changes!['file:///work/test.cfg']!);
      assert.notEqual(fixed, text);
      const after = contextFor(fixed, { pool });
      const lists = (c: typeof before) => {
        const plan = c.selection.plan!;
        return [plan.vdiExport, plan.vmExport, plan.metadataExport].map((l) => l.map((vm) => [vm.name, vm.maxBackups]));
      };
      assert.deepEqual(lists(after), lists(before));
      const { origins: _a, ...settingsBefore } = before.analysis.effective;
      const { origins: _b, ...settingsAfter } = after.analysis.effective;
      assert.deepEqual(settingsAfter, settingsBefore);
    });
  }
});
