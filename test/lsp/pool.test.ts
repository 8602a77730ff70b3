// Hovers, hints, lenses, completion and code actions against the simulator's pools over the
// protocol, including live changes from XAPI events.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CodeLensRequest, InlayHintRequest } from 'vscode-languageserver-protocol';
import { startSimulator, type Simulator } from '../sim/index';
import { compilePython } from '../../runner/src/pyre';
import { Methods } from '../../server/src/protocol';
import { applyEdits, caret, ROOT, TestClient } from './harness';

const FIXTURES = join(ROOT, 'test/sim/fixtures');
const URI = 'file:///etc/vmbackup/weekend.cfg';
const WEEKEND = [
  'max_backups=4',
  'exclude=PROD-ubuntu12-benchmark',
  'vdi-export=PROD-CentOS7-large-user-disks',
  'vm-export=DEV-RH.*:3',
  'vm-export=PROD-.*',
  'vm-export=PROD-new1',
  '',
].join('\n');

async function connected(client: TestClient, sim: Simulator): Promise<void> {
  await client.initialize();
  await client.connection.sendRequest(Methods.setPoolPassword, { password: sim.password });
  await client.waitForPoolStatus('connected', (s) => s.state === 'connected');
}

/** A simulator with a fixture of test/sim/fixtures and a client connected to it as root. */
async function connectedPool(fixture: string): Promise<{ sim: Simulator; client: TestClient }> {
  const sim = await startSimulator({ fixture: join(FIXTURES, fixture) });
  const client = new TestClient({ settings: { pool: { url: sim.url, user: 'root' } } });
  await connected(client, sim);
  return { sim, client };
}

async function stop(client: TestClient, sim: Simulator): Promise<void> {
  await client.dispose();
  await sim.close();
}

function hoverAt(client: TestClient, uri: string, line: number, character: number): Promise<string> {
  return client.hover(uri, { line, character });
}

describe('live pool features (weekend fixture)', () => {
  let sim: Simulator;
  let client: TestClient;
  before(async () => {
    ({ sim, client } = await connectedPool('weekend.json'));
    await client.open(URI, WEEKEND);
  });
  after(() => stop(client, sim));

  it('hovers a regex selection with the VMs it backs up and the VMs it lost, and why', async () => {
    const text = await hoverAt(client, URI, 4, 12);
    assert.match(text, /`PROD-\.\*` is a \*\*Python regex\*\*\. Names starting with "PROD-" \(then anything\)\./);
    assert.match(text, /This line backs up 2 VMs\*\* \(matched 3\)/);
    assert.doesNotMatch(text, /PROD-new1/);
    assert.match(text, /`PROD-ubuntu14` · Running · xvda 16 GiB · keeps 4 \(max_backups\)/);
    assert.match(text, /`PROD-WinSvr` · Running · xvda 40 GiB/);
    assert.match(text, /`PROD-CentOS7-large-user-disks` — taken by vdi-export on line 3/);
    assert.match(text, /`PROD-ubuntu12-benchmark` — excluded by line 2/);
    assert.match(text, /Live from pool/);
  });

  it('shows the :N that applies, and what an exclude removes', async () => {
    const dev = await hoverAt(client, URI, 3, 12);
    assert.match(dev, /`DEV-RH6` · Halted · xvda 10 GiB · keeps 3 \(`:3`\)/);
    assert.match(dev, /`DEV-RH7` · Running/);
    const exclude = await hoverAt(client, URI, 1, 10);
    assert.match(exclude, /Removes 1 VM\*\*/);
    assert.match(exclude, /`PROD-ubuntu12-benchmark` · Running · xvda 8 GiB/);
  });

  it('reports what the pool says in diagnostics, inlay hints and the code lens', async () => {
    const diagnostics = await client.diagnosticsFor(URI);
    const notFound = diagnostics.find((d) => d.code === 'VMB040');
    assert.ok(notFound, JSON.stringify(diagnostics));
    assert.equal(notFound.range.start.line, 5);
    const hints = await client.connection.sendRequest(InlayHintRequest.type, {
      textDocument: { uri: URI },
      range: { start: { line: 0, character: 0 }, end: { line: 6, character: 0 } },
    });
    assert.deepEqual(
      hints?.map((h) => [h.position.line, h.label]),
      [
        [1, '→ excludes 1 VM'],
        [2, '→ 1 VM'],
        [3, '→ 2 VMs'],
        [4, '→ 2 VMs (1 lost)'],
        [5, '→ 0 VMs'],
      ],
    );
    const lenses = await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: URI } });
    assert.equal(lenses?.length, 1);
    assert.equal(lenses![0]!.range.start.line, 2);
    assert.equal(lenses![0]!.command?.title, '5 VMs selected · Run Preview');
    assert.equal(lenses![0]!.command?.command, 'vmbackup.runPreview');
    assert.deepEqual(lenses![0]!.command?.arguments, [URI]);
  });

  it('sees a VM added in the pool in the next hover and in the diagnostics (XAPI events)', async () => {
    sim.addVm({ name: 'PROD-new1', power: 'Running', disks: [{ size: '5GiB' }] });
    await client.waitForPoolStatus('the new VM', (s) => s.vmCount === 24);
    const text = await hoverAt(client, URI, 4, 12);
    assert.match(text, /This line backs up 2 VMs\*\* \(matched 4\)/);
    assert.match(text, /`PROD-new1` — replaced by line 6 \(the later entry wins\)/);
    assert.match(await hoverAt(client, URI, 5, 12), /`PROD-new1` · Running · xvda 5 GiB · keeps 4/);
    await client.waitFor('VMB040 gone after the pool change', () => {
      const published = client.diagnostics.get(URI)?.diagnostics;
      return published && !published.some((d) => d.code === 'VMB040') ? true : undefined;
    });
  });

  it('converts a regex into the explicit list of VMs it matches now; the result selects the same', async () => {
    const result = await client.codeActions(URI, { line: 3, character: 12 });
    const convert = result.find((a) => a.kind === 'refactor.rewrite');
    assert.ok(convert, JSON.stringify(result.map((a) => a.title)));
    assert.equal(convert.title, 'Convert regex to explicit list of the 2 VMs it matches now');
    const before = (await client.diagnosticsFor(URI)).map((d) => d.code);
    const converted = applyEdits(client.text(URI), convert.edit!.changes![URI]!);
    assert.equal(converted.split('\n').slice(3, 5).join('\n'), 'vm-export=DEV-RH6:3\nvm-export=DEV-RH7:3');
    await client.replace(URI, converted);
    assert.deepEqual(
      (await client.diagnosticsFor(URI)).map((d) => d.code),
      before,
    );
    assert.match(await hoverAt(client, URI, 3, 12), /`DEV-RH6` · Halted · xvda 10 GiB · keeps 3 \(`:3`\)/);
  });

  it(
    'one rule with the runner for duplicate names: not selected = warning VMB046, selected = error VMB043 ' +
      '(no "Suppress" for it)',
    async () => {
      // The corrected README weekend.cfg: the pool's DEV-duplicate is not selected; the runner's
      // preview ends with warnings (test/runner/preview.test.ts), the editor shows the same warning.
      const example = readFileSync(join(ROOT, 'examples', 'weekend.cfg'), 'utf8');
      const uri = 'file:///etc/vmbackup/example-weekend.cfg';
      await client.open(uri, example);
      const diagnostics = await client.diagnosticsFor(uri);
      assert.ok(!diagnostics.some((d) => d.severity === 1), JSON.stringify(diagnostics));
      const duplicate = diagnostics.find((d) => d.code === 'VMB046')!;
      assert.equal(duplicate.severity, 2);
      assert.equal(duplicate.range.start.line, 4);
      const titles = (await client.codeActions(uri, { line: 4, character: 0 })).map((a) => a.title);
      assert.ok(titles.includes('Suppress VMB046 on this line (# vmbackup-disable-next-line)'), titles.join('\n'));

      await client.replace(uri, 'vm-export=DEV-dup.*\n');
      const selected = await client.diagnosticsFor(uri);
      assert.deepEqual(
        selected.map((d) => [d.code, d.severity]),
        [['VMB043', 1]],
      );
      const actions = (await client.codeActions(uri, { line: 0, character: 0 })).map((a) => a.title);
      assert.ok(!actions.some((t) => t.startsWith('Suppress')), actions.join('\n'));
      const lens = await client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri } });
      assert.equal(lens![0]!.command!.title, '✖ 1 error: the run would fail · Run Preview');
      await client.close(uri);
    },
  );

  it('completes VM names from the pool', async () => {
    const { text, position } = caret('vm-export=DEV-R|\n');
    await client.open('file:///etc/vmbackup/new.cfg', text);
    const items = await client.completions('file:///etc/vmbackup/new.cfg', position);
    const rh7 = items.find((i) => i.label === 'DEV-RH7');
    assert.ok(rh7);
    assert.match(rh7.detail ?? '', /Running · xvda 10 GiB/);
    assert.ok(!items.some((i) => i.label === 'golden-ubuntu-template'), 'templates are not offered');
  });
});

describe('live pool features (hostile VM names)', () => {
  let sim: Simulator;
  let client: TestClient;
  before(async () => {
    ({ sim, client } = await connectedPool('hostile.json'));
  });
  after(() => stop(client, sim));

  it('completes every VM name escaped so that it selects exactly that VM, and the file stays valid', async () => {
    const uri = 'file:///etc/vmbackup/hostile.cfg';
    const { text, position } = caret('vm-export=|\n');
    await client.open(uri, text);
    const items = await client.completions(uri, position);
    const names = new Set(items.map((i) => i.label));
    for (const name of ['glob*?[x]', 'colon:name', 'new\nline', '  leading spaces', 'PROD-$(id)', 'back\\slash'])
      assert.ok(names.has(name), name);
    const lines: string[] = [];
    for (const item of items) {
      const edit = item.textEdit as { newText: string; range: { start: { character: number } } };
      assert.equal(edit.range.start.character, 10);
      const selector = edit.newText;
      assert.ok(!/[\n:=]/.test(selector), `no line break, ':' or '=' left in ${JSON.stringify(selector)}`);
      const compiled = compilePython(selector);
      assert.ok(compiled.ok, selector);
      lines.push(`vm-export=${selector}`);
    }
    await client.replace(uri, lines.join('\n') + '\n');
    const diagnostics = await client.diagnosticsFor(uri);
    assert.deepEqual(
      diagnostics.filter((d) => d.code === 'VMB040' || d.code === 'VMB030' || d.code === 'VMB001'),
      [],
    );
    // Each line backs up exactly its own VM (duplicates in the fixture aside).
    const glob = lines.findIndex((l) => l.includes('glob'));
    assert.match(await hoverAt(client, uri, glob, 12), /This line backs up 1 VM\*\* \(matched 1\)/);
  });
});

describe('long VM lists', () => {
  it('bounds the hover list and gives the count of the rest', async () => {
    const sim = await startSimulator({
      fixture: { name: 'forty', generate: [{ count: 40, name: 'APP-{n:2}', disks: [{ size: '1GiB' }] }] },
    });
    const client = new TestClient({ settings: { pool: { url: sim.url } } });
    try {
      await connected(client, sim);
      await client.open(URI, 'vm-export=APP-.*:2\n');
      const text = await hoverAt(client, URI, 0, 12);
      assert.match(text, /This line backs up 40 VMs/);
      assert.equal((text.match(/^- `APP-\d\d`/gm) ?? []).length, 15);
      assert.match(text, /- … and 25 more \(40 in total\)/);
      assert.match(text, /`APP-01` · Running · xvda 1 GiB · keeps 2 \(`:2`\)/);
    } finally {
      await stop(client, sim);
    }
  });
});
