// A selection regex with catastrophic backtracking (issue 11, item 5) used to freeze the
// language server: every request timed out. Now the regex is stopped at its time budget
// (injected here), the line gets VMB034 and the server keeps answering.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../sim/index';
import { Methods } from '../../server/src/protocol';
import { TestClient } from './harness';

const URI = 'file:///etc/vmbackup/redos.cfg';
const LONG_NAME = 'a'.repeat(40) + '!';
let sim: Simulator;
let client: TestClient;

before(async () => {
  sim = await startSimulator({ fixture: { name: 'redos', vms: [{ name: 'web01', disks: [{ size: '1MiB' }] }, { name: LONG_NAME, disks: [{ size: '1MiB' }] }] } });
  client = new TestClient({ settings: { pool: { url: sim.url, user: 'root' } }, env: { VMBACKUP_REGEX_BUDGET_MS: '200' } });
  await client.initialize();
  await client.connection.sendRequest(Methods.setPoolPassword, { password: sim.password });
  await client.waitForPoolStatus('connected', (s) => s.state === 'connected');
});
after(async () => {
  await client.dispose();
  await sim.close();
});

it('reports a hostile regex as too expensive and answers hovers on every line', async () => {
  await client.open(URI, ['vm-export=web01', 'vm-export=(a+)+$', 'exclude=([A-Za-z0-9]+-?)+$', ''].join('\n'));
  const found = await client.waitFor('VMB034 on lines 2 and 3', () => {
    const published = client.diagnostics.get(URI);
    const lines = published?.diagnostics.filter((d) => d.code === 'VMB034').map((d) => d.range.start.line);
    return lines && lines.length === 2 ? lines : undefined;
  }, 30_000);
  assert.deepEqual(found, [1, 2]);
  assert.match(await client.hover(URI, { line: 0, character: 12 }), /This line backs up 1 VM/);
  assert.match(await client.hover(URI, { line: 1, character: 12 }), /Regex too expensive/);
});

it('keeps answering while a new hostile regex is typed', async () => {
  await client.replace(URI, ['vm-export=web01', 'vm-export=(a|aa)+$', ''].join('\n'));
  // Asked at once, while the server has the new text to plan: it answers.
  assert.match(await client.hover(URI, { line: 0, character: 12 }), /web01|VM/);
  const version = client.version(URI);
  const lines = await client.waitFor('VMB034 on line 2 of the new text', () => {
    const published = client.diagnostics.get(URI);
    if (published?.version !== version) return undefined;
    const found = published.diagnostics.filter((d) => d.code === 'VMB034').map((d) => d.range.start.line);
    return found.length ? found : undefined;
  }, 30_000);
  assert.deepEqual(lines, [1]);
  assert.match(await client.hover(URI, { line: 1, character: 12 }), /Regex too expensive/);
});
