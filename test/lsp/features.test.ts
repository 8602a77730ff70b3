// Offline features over the protocol: symbols, folding, formatting, key hovers, completion
// of keys and values, code actions applied to the text and re-validated.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CodeLensRequest,
  DocumentRangeFormattingRequest,
  DocumentFormattingRequest,
  DocumentSymbolRequest,
  FoldingRangeRequest,
  type CodeAction,
  type CompletionItem,
  type DocumentSymbol,
  type TextEdit,
} from 'vscode-languageserver-protocol';
import { applyEdits, caret, TestClient } from './harness';
import { Methods, type ServerStats } from '../../server/src/protocol';

const URI = 'file:///work/features.cfg';

describe('offline features', () => {
  let client: TestClient;
  before(async () => {
    client = new TestClient();
    await client.initialize();
  });
  after(() => client.dispose());

  async function hoverText(textWithCaret: string): Promise<string> {
    const { text, position } = caret(textWithCaret);
    await client.open(URI, text);
    return client.hover(URI, position);
  }

  async function complete(textWithCaret: string): Promise<CompletionItem[]> {
    const { text, position } = caret(textWithCaret);
    await client.open(URI, text);
    return client.completions(URI, position);
  }

  it('groups document symbols into settings, excludes and selections', async () => {
    await client.open(
      URI,
      '# demo\nmax_backups=3\nexclude=PROD-db\nvm-export=PROD.*:2\nvdi-export=BIG\nbackup_dir=/b\n',
    );
    const symbols = (await client.connection.sendRequest(DocumentSymbolRequest.type, {
      textDocument: { uri: URI },
    })) as DocumentSymbol[];
    assert.deepEqual(
      symbols.map((s) => [s.name, s.children!.map((c) => c.name)]),
      [
        ['Settings', ['max_backups', 'backup_dir']],
        ['Excludes', ['exclude=PROD-db']],
        ['Selections', ['vm-export=PROD.*:2', 'vdi-export=BIG']],
      ],
    );
    assert.deepEqual(symbols[0]!.children![0]!.selectionRange, {
      start: { line: 1, character: 0 },
      end: { line: 1, character: 11 },
    });
  });

  it('folds runs of comment lines', async () => {
    await client.open(URI, '# a\n# b\n# c\nmax_backups=3\n# single\nvm-export=x\n# d\n# e\n');
    const ranges = await client.connection.sendRequest(FoldingRangeRequest.type, { textDocument: { uri: URI } });
    assert.deepEqual(
      ranges?.map((r) => [r.startLine, r.endLine, r.kind]),
      [
        [0, 2, 'comment'],
        [6, 7, 'comment'],
      ],
    );
  });

  it('formats key = value spacing, keeps comments and values, and fixes indented comments', async () => {
    const text =
      '# Weekly  backups \nmax_backups = 3\n  vm-export =  PROD.*:2  \n   # indented\nbackup_dir=/snap\n' +
      'vm-export=a=b\n';
    await client.open(URI, text);
    const edits = await client.connection.sendRequest(DocumentFormattingRequest.type, {
      textDocument: { uri: URI },
      options: { tabSize: 2, insertSpaces: true },
    });
    const formatted = applyEdits(text, edits ?? []);
    assert.equal(
      formatted,
      '# Weekly  backups\nmax_backups=3\nvm-export=PROD.*:2\n# indented\nbackup_dir=/snap\nvm-export=a=b\n',
    );
    await client.replace(URI, formatted);
    const codes = (await client.diagnosticsFor(URI)).map((d) => d.code);
    assert.ok(!codes.includes('VMB003'), 'no indented comment left');
    assert.ok(codes.includes('VMB002'), 'the malformed line is left for the user');
  });

  it('hovers a key with its documentation, default and effective value', async () => {
    const value = await hoverText('max_back|ups=3\nvm-export=a\nmax_backups=5\n');
    assert.match(value, /\*\*max_backups\*\* — default `4`/);
    assert.match(value, /Effective value: `5`, set on line 3 \(a later line wins\)/);
    const invalid = await hoverText('pool_db_|backup=7\n');
    assert.match(invalid, /Effective value: `0`, the default, because `7` on line 1 is invalid/);
    const unknown = await hoverText('max_backup|=3\n');
    assert.match(unknown, /not a VmBackup key/);
    assert.match(unknown, /Did you mean `max_backups`\?/);
  });

  it('hovers a selection offline: plain name vs prefix regex, explanation and a hint how to connect', async () => {
    const plain = await hoverText('vm-export=web|1\n');
    assert.match(plain, /plain name/);
    const regex = await hoverText('vm-export=PROD|-web.*:3\n');
    assert.match(regex, /Python regex/);
    assert.match(regex, /Names starting with "PROD-web" \(then anything\)/);
    assert.match(regex, /vmbackup\.pool\.url/);
  });

  it('says once how a regex is matched: prefix match in bold, none for a regex anchored with $', async () => {
    const reading = async (textWithCaret: string) => (await hoverText(textWithCaret)).split('\n\n')[1];
    assert.equal(
      await reading('vm-export=PROD|\\d\n'),
      '`PROD\\d` is a **Python regex**. Names starting with "PROD" then a digit: re.match is a **prefix match**, ' +
        'so anything may follow. Add $ to match the whole name.',
    );
    assert.equal(
      await reading('exclude=PROD-w|eb$\n'),
      '`PROD-web$` is a **Python regex**. Names that are exactly "PROD-web" ($ also accepts a trailing newline).',
    );
    assert.equal(
      await reading('vm-export=PRD-|a*\n'),
      '`PRD-a*` is a **Python regex**. Names starting with "PRD-": the trailing "a" zero or more times can match ' +
        'nothing, and re.match is a **prefix match**, so it adds no condition (write .* for "anything", $ to end the ' +
        'name).',
    );
    // No explanation to rely on: the hover says it itself.
    assert.equal(
      await reading('vm-export=(a)|(?(1)b|c)\n'),
      '`(a)(?(1)b|c)` is a **Python regex**, matched from the start of the name only — a **prefix match**: it also ' +
        'takes longer names that start the same way. Valid Python regex, but it cannot be previewed here: ' +
        'conditional group (?(...)yes|no) has no JavaScript equivalent.',
    );
  });

  it('completes keys with documentation, and values of enum keys', async () => {
    const keys = await complete('max_backups=3\nvdi|\n');
    const labels = keys.map((i) => i.label);
    for (const key of ['vm-export', 'vdi-export', 'exclude', 'vdi_export_format', 'compress'])
      assert.ok(labels.includes(key), key);
    // A setting the file already has is not offered again (it would be VMB004); selections repeat.
    assert.ok(!labels.includes('max_backups'));
    assert.ok((await complete('vm-export=a\nvm|\n')).some((i) => i.label === 'vm-export'));
    const vdiFormat = keys.find((i) => i.label === 'vdi_export_format')!;
    assert.match(JSON.stringify(vdiFormat.documentation), /raw/);
    assert.ok(
      keys.some((i) => i.kind === 15 /* Snippet */ && /vm-export/.test(i.insertText ?? '')),
      'snippets offered',
    );

    const typo = await complete('vdi_exp|ort_fromat=raw\n');
    const fixed = typo.find((i) => i.label === 'vdi_export_format')!;
    assert.equal(applyEdits('vdi_export_fromat=raw\n', [fixed.textEdit as TextEdit]), 'vdi_export_format=raw\n');

    const formats = await complete('vdi_export_format=|\n');
    assert.deepEqual(
      formats.map((i) => i.label),
      ['raw', 'vhd'],
    );
    const db = await complete('pool_db_backup= |0\n');
    // Never a suggestion equal to what is typed.
    assert.deepEqual(
      db.map((i) => i.label),
      ['1'],
    );
    assert.deepEqual(db[0]!.textEdit && 'range' in db[0]!.textEdit ? db[0]!.textEdit.range : undefined, {
      start: { line: 0, character: 16 },
      end: { line: 0, character: 17 },
    });
  });

  it('Enter stays a new line: no popup by itself on a complete value, no item equal to the typed text', async () => {
    const typing = { triggerKind: 3 as const };
    const at = async (textWithCaret: string, context?: { triggerKind: 1 | 2 | 3; triggerCharacter?: string }) => {
      const { text, position } = caret(textWithCaret);
      await client.open(URI, text);
      return (await client.completions(URI, position, context)).map((i) => i.label);
    };
    // Typed to the end of a valid value: the popup that opens while typing gets nothing.
    assert.deepEqual(await at('vdi_export_format=raw|\n', typing), []);
    assert.deepEqual(await at('vdi_export_format=raw|\n', { triggerKind: 2, triggerCharacter: '=' }), []);
    assert.deepEqual(await at('vm-export=web:3|\n', typing), []);
    // Still incomplete: the popup helps.
    assert.deepEqual(await at('vdi_export_format=r|\n', typing), ['raw', 'vhd']);
    assert.deepEqual(await at('vdi_export_format=|\n', { triggerKind: 2, triggerCharacter: '=' }), ['raw', 'vhd']);
    // Ctrl+Space on a complete value: the other choices, not the typed one.
    assert.deepEqual(await at('vdi_export_format=raw|\n', { triggerKind: 1 }), ['vhd']);
    assert.deepEqual(await at('vm-export=web:3|\n', { triggerKind: 1 }), ['1', '2', '4', '7', '14']);
  });

  it('hides extension keys in compatibility mode "original"', async () => {
    await client.changeSettings({ compatibility: 'original' });
    await client.open(URI, 'compress=gzip\n');
    // The diagnostics show when the server has the new settings.
    await client.waitFor('original-mode diagnostics', () =>
      client.diagnostics.get(URI)?.diagnostics.some((d) => d.code === 'VMB020') ? true : undefined,
    );
    const keys = (await complete('|\n')).map((i) => i.label);
    assert.ok(!keys.includes('compress'));
    assert.ok(keys.includes('vm-export'));
    await client.changeSettings({});
    await client.open(URI, 'compress=gzip\n');
    await client.waitFor('extended-mode diagnostics', () =>
      client.diagnostics.get(URI)?.diagnostics.length === 0 ? true : undefined,
    );
    assert.ok((await complete('|\n')).some((i) => i.label === 'compress'));
  });

  const actionsAt = (line: number): Promise<CodeAction[]> => client.codeActions(URI, { line, character: 0 });

  /** Applies the "Suppress CODE" action of `line` to `text`. */
  async function suppress(text: string, line: number, code: string): Promise<string> {
    const action = (await actionsAt(line)).find((a) => a.title.startsWith(`Suppress ${code}`));
    assert.ok(action);
    return applyEdits(text, action.edit!.changes![URI]!);
  }

  /** Sends `text` as the new content and expects no diagnostic for it. */
  async function assertClean(text: string): Promise<void> {
    await client.replace(URI, text);
    assert.deepEqual(await client.diagnosticsFor(URI), []);
  }

  it('offers the runner fixes as quick fixes; applying them clears the diagnostic', async () => {
    const text = 'vm-export=PROD*\nexclude=PROD-db\nmax_backupz=3\n';
    await client.open(URI, text);
    const before = (await client.diagnosticsFor(URI)).map((d) => d.code).sort();
    assert.deepEqual(before, ['VMB005', 'VMB013', 'VMB016']);

    let current = text;
    for (const [line, code] of [
      [0, 'VMB016'],
      [1, 'VMB013'],
      [2, 'VMB005'],
    ] as const) {
      await client.replace(URI, current);
      await client.diagnosticsFor(URI);
      const fix = (await actionsAt(line)).find(
        (a) => a.kind === 'quickfix' && a.diagnostics?.[0]?.code === code && !a.title.startsWith('Suppress'),
      );
      assert.ok(fix, `a fix for ${code}`);
      current = applyEdits(current, fix.edit!.changes![URI]!);
    }
    assert.equal(current, 'exclude=PROD-db\nvm-export=PROD.*\nmax_backups=3\n');
    await assertClean(current);
  });

  it('offers a suppression comment for every diagnostic; applying it silences that diagnostic', async () => {
    const text = 'max_backups=3\nvm-export=PROD*\n';
    await client.open(URI, text);
    await client.diagnosticsFor(URI);
    const suppressed = await suppress(text, 1, 'VMB016');
    assert.equal(suppressed, 'max_backups=3\n# vmbackup-disable-next-line VMB016\nvm-export=PROD*\n');
    await assertClean(suppressed);
  });

  it('extends an existing suppression comment instead of stacking a second one', async () => {
    const text = '# vmbackup-disable-next-line VMB016\nvm-export=PROD*:0\n';
    await client.open(URI, text);
    const codes = (await client.diagnosticsFor(URI)).map((d) => d.code);
    assert.deepEqual(codes, ['VMB011']);
    const suppressed = await suppress(text, 1, 'VMB011');
    assert.equal(suppressed, '# vmbackup-disable-next-line VMB016 VMB011\nvm-export=PROD*:0\n');
    await assertClean(suppressed);
  });

  it('formats only the requested range', async () => {
    const text = 'max_backups = 3\nbackup_dir = /b\nvdi_export_format = raw\n';
    await client.open(URI, text);
    const edits = await client.connection.sendRequest(DocumentRangeFormattingRequest.type, {
      textDocument: { uri: URI },
      range: { start: { line: 1, character: 0 }, end: { line: 1, character: 3 } },
      options: { tabSize: 2, insertSpaces: true },
    });
    assert.equal(applyEdits(text, edits ?? []), 'max_backups = 3\nbackup_dir=/b\nvdi_export_format = raw\n');
  });

  it('puts a "Run Preview" code lens on the first selection even without a pool, and no inlay hints', async () => {
    await client.open(URI, '# nightly\nmax_backups=3\nexclude=a\nvm-export=PROD.*\nvm-export=DEV.*\n');
    const lenses = await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: URI } });
    assert.deepEqual(
      lenses?.map((l) => [l.range.start.line, l.command?.title, l.command?.command]),
      [[3, 'Run Preview', 'vmbackup.runPreview']],
    );
  });

  it('answers vmbackup/serverStats with its memory use', async () => {
    const stats = (await client.connection.sendRequest(Methods.serverStats)) as ServerStats;
    assert.ok(stats.rssBytes > stats.heapUsedBytes && stats.heapUsedBytes > 0);
    assert.equal(stats.vmCount, 0);
    assert.ok(stats.openDocuments >= 1);
  });
});
