// Diagnostics over the protocol: codes, ranges, documentation links, debounced re-validation
// on change, suppression comments, severity overrides, compatibility mode, disabling.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TestClient } from './harness';

const URI = 'file:///work/weekend.cfg';
/** What the extension passes: the docs/diagnostics.md inside the installed extension. */
const DOCS_URI = 'file:///home/u/.vscode/extensions/vmbackup.vmbackup-0.1.0/docs/diagnostics.md';

describe('diagnostics', () => {
  let client: TestClient;
  before(async () => {
    client = new TestClient({ docsUri: DOCS_URI });
    await client.initialize();
  });
  after(() => client.dispose());

  it('publishes the runner diagnostics with codes, exact ranges and a documentation link', async () => {
    await client.open(URI, 'max_backups=x\nvm-export=PROD*\n  # note\nmax_backup=3\n');
    const diagnostics = await client.diagnosticsFor(URI);
    const byCode = new Map(diagnostics.map((d) => [d.code, d]));
    assert.deepEqual([...byCode.keys()].sort(), ['VMB003', 'VMB005', 'VMB007', 'VMB016']);
    assert.deepEqual(byCode.get('VMB007')!.range, {
      start: { line: 0, character: 12 },
      end: { line: 0, character: 13 },
    });
    assert.deepEqual(byCode.get('VMB016')!.range, {
      start: { line: 1, character: 10 },
      end: { line: 1, character: 15 },
    });
    assert.equal(byCode.get('VMB005')!.range.start.line, 3);
    assert.equal(byCode.get('VMB007')!.severity, 1);
    assert.equal(byCode.get('VMB016')!.severity, 2);
    assert.equal(byCode.get('VMB016')!.source, 'vmbackup');
    // The link goes into the bundled docs the client named (opens in the editor, works offline).
    assert.equal(byCode.get('VMB016')!.codeDescription!.href, `${DOCS_URI}#vmb016`);
    assert.equal(byCode.get('VMB005')!.codeDescription!.href, `${DOCS_URI}#vmb005`);
  });

  it('re-validates after an incremental edit (and only the latest version is published)', async () => {
    await client.edit(URI, {
      range: { start: { line: 0, character: 12 }, end: { line: 0, character: 13 } },
      newText: '3',
    });
    await client.edit(URI, {
      range: { start: { line: 1, character: 14 }, end: { line: 1, character: 15 } },
      newText: '.*',
    });
    const diagnostics = await client.diagnosticsFor(URI);
    assert.deepEqual(diagnostics.map((d) => d.code).sort(), ['VMB003', 'VMB005']);
    assert.equal(client.text(URI).split('\n')[1], 'vm-export=PROD.*');
  });

  it('honours "# vmbackup-disable-next-line CODE" for that code and that line only', async () => {
    await client.replace(
      URI,
      '# vmbackup-disable-next-line VMB016\nvm-export=PROD*\nvm-export=TEST*\n# vmbackup-disable-next-line VMB005\n' +
        'vm-export=DEV*\n',
    );
    const diagnostics = await client.diagnosticsFor(URI);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.range.start.line]),
      [
        ['VMB016', 2],
        ['VMB016', 4],
      ],
    );
  });

  it('a directive without codes silences all next-line warnings, never an error (the runner refuses it)', async () => {
    await client.replace(
      URI,
      '# vmbackup-disable-next-line\nvm-export=PROD*:0\nvm-export=TEST*:0\n# vmbackup-disable-next-line VMB007\n' +
        'max_backups=0\n',
    );
    const diagnostics = await client.diagnosticsFor(URI);
    assert.deepEqual(
      diagnostics.map((d) => [d.code, d.range.start.line]),
      [
        ['VMB016', 2],
        ['VMB011', 2],
        ['VMB007', 4],
      ],
    );
  });

  it('applies severity overrides, "off", compatibility "original" and validate.enable from the settings', async () => {
    await client.replace(URI, 'compress=gzip\nvm-export=PROD*\nfoo=1\n');
    const extended = await client.diagnosticsFor(URI);
    assert.deepEqual(extended.map((d) => d.code).sort(), ['VMB005', 'VMB016']);

    await client.changeSettings({
      compatibility: 'original',
      validate: { severityOverrides: { VMB016: 'error', vmb005: 'off' } },
    });
    const original = await client.waitFor('diagnostics under the new settings', () => {
      const d = client.diagnostics.get(URI)?.diagnostics;
      return d?.some((x) => x.code === 'VMB020') ? d : undefined;
    });
    const byCode = new Map(original.map((d) => [d.code, d]));
    assert.equal(byCode.get('VMB020')!.severity, 1, 'extension key is an error in original mode');
    assert.equal(byCode.get('VMB020')!.range.start.line, 0);
    assert.equal(byCode.get('VMB016')!.severity, 1, 'overridden to error');
    // An error is what the runner refuses: a setting can neither hide nor lower it.
    assert.equal(byCode.get('VMB005')!.severity, 1, 'an error cannot be switched off');

    await client.changeSettings({ validate: { enable: false } });
    await client.waitFor('no diagnostics with validation disabled', () =>
      client.diagnostics.get(URI)?.diagnostics.length === 0 ? true : undefined,
    );
    await client.changeSettings({});
    await client.waitFor(
      'diagnostics again',
      () => (client.diagnostics.get(URI)?.diagnostics.length ?? 0) > 0 || undefined,
    );
  });

  it('warnings can be switched off by a severity override', async () => {
    await client.changeSettings({ validate: { severityOverrides: { VMB016: 'off' } } });
    await client.replace(URI, 'vm-export=PROD*\nfoo=1\n');
    const diagnostics = await client.waitFor('VMB016 switched off', () => {
      const d = client.diagnostics.get(URI);
      return d && d.version === client.version(URI) && !d.diagnostics.some((x) => x.code === 'VMB016')
        ? d.diagnostics
        : undefined;
    });
    assert.deepEqual(
      diagnostics.map((d) => d.code),
      ['VMB005'],
    );
    await client.changeSettings({});
  });

  it('clears the diagnostics when the document is closed', async () => {
    await client.close(URI);
    await client.waitFor('empty diagnostics after close', () =>
      client.diagnostics.get(URI)?.diagnostics.length === 0 ? true : undefined,
    );
  });
});

describe('diagnostics without initializationOptions.docsUri', () => {
  it('carry no codeDescription (no link to an address nobody published)', async () => {
    const client = new TestClient();
    try {
      await client.initialize();
      await client.open(URI, 'vm-export=PROD*\n');
      const [d] = await client.diagnosticsFor(URI);
      assert.equal(d!.code, 'VMB016');
      assert.equal(d!.codeDescription, undefined);
      assert.doesNotMatch(JSON.stringify(d), /github\.com/);
    } finally {
      await client.dispose();
    }
  });
});
