// Over stdio with the BUILT server (dist/server.js), as VS Code runs it: the live pool connection:
// TLS pinning, credentials, state reports, the offline cache and stale labelling, explicit
// connect/disconnect, and hovers that never wait for the network. The other LSP suites run the
// server in-process (harness.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '../sim/index';
import { Methods, type PoolStatus } from '../../server/src/protocol';
import { ROOT, TestClient } from './harness';

const FIXTURE = join(ROOT, 'test/sim/fixtures/weekend.json');
const URI = 'file:///etc/vmbackup/weekend.cfg';

function hover(client: TestClient, line: number, character: number): Promise<string> {
  return client.hover(URI, { line, character });
}

async function setPassword(client: TestClient, password: string): Promise<PoolStatus> {
  return client.connection.sendRequest(Methods.setPoolPassword, { password });
}

describe('pool connection', () => {
  it('accepts a self-signed certificate only when its sha256 fingerprint is pinned', async () => {
    const sim = await startSimulator({ fixture: FIXTURE, https: true });
    const client = new TestClient({ transport: 'stdio', settings: { pool: { url: sim.url } } });
    try {
      await client.initialize();
      const unpinned = await setPassword(client, sim.password);
      assert.equal(unpinned.state, 'error');
      assert.match(unpinned.message, /not trusted/);
      assert.ok(
        unpinned.message.includes(sim.certificateFingerprint!),
        'tells the user which fingerprint to check and pin',
      );

      await client.changeSettings({ pool: { url: sim.url, certificateFingerprint: 'AB'.repeat(32) } });
      const wrong = await client.waitForPoolStatus(
        'pin mismatch',
        (s) => s.state === 'error' && /does not match/.test(s.message),
      );
      assert.equal(wrong.vmCount, 0);

      await client.changeSettings({
        pool: { url: sim.url, certificateFingerprint: sim.certificateFingerprint!.toLowerCase() },
      });
      const ok = await client.waitForPoolStatus('connected with the pin', (s) => s.state === 'connected');
      assert.equal(ok.vmCount, 23);
      assert.match(ok.message, /Connected to pool `?weekend-pool`? as root \(23 VMs\)/);
    } finally {
      await client.dispose();
      await sim.close();
    }
  });

  it('reports a wrong password as an error, and never needs the password in the settings', async () => {
    const sim = await startSimulator({ fixture: FIXTURE });
    const client = new TestClient({ transport: 'stdio', settings: { pool: { url: sim.url, user: 'root' } } });
    try {
      await client.initialize();
      const initial = (await client.connection.sendRequest(Methods.getPoolStatus)) as PoolStatus;
      assert.equal(initial.state, 'disconnected');
      assert.match(initial.message, /password/i);
      const announced = await client.waitForPoolStatus('the initial status notification', () => true);
      assert.equal(announced.url, sim.url);
      const wrong = await setPassword(client, 'not-the-password');
      assert.equal(wrong.state, 'error');
      assert.match(wrong.message, /rejected the user name or password/);
      assert.ok(!client.log.join('\n').includes('not-the-password'), 'the password is not logged');
      // The password may also come as a notification.
      await client.connection.sendNotification(Methods.setPoolPassword, { password: sim.password });
      const right = await client.waitForPoolStatus('connected after the notification', (s) => s.state === 'connected');
      assert.equal(right.vmCount, 23);
    } finally {
      await client.dispose();
      await sim.close();
    }
  });

  it("never sends one pool's password to another pool after vmbackup.pool.url changes", async () => {
    const first = await startSimulator({ fixture: FIXTURE, password: 'first-secret' });
    const second = await startSimulator({
      fixture: { name: 'other', pool: { name: 'other-pool' }, vms: [{ name: 'solo' }] },
      password: 'second-secret',
    });
    const client = new TestClient({ transport: 'stdio', settings: { pool: { url: first.url } } });
    try {
      await client.initialize();
      assert.equal((await setPassword(client, 'first-secret')).state, 'connected');
      const seen = client.poolStatuses.length;
      await client.changeSettings({ pool: { url: second.url } });
      const waiting = await client.waitForPoolStatus(
        'waiting for the new password',
        (s) => s.url === second.url && s.state === 'disconnected',
      );
      assert.match(waiting.message, /No password yet/);
      assert.ok(
        !client.poolStatuses.slice(seen).some((s) => s.state === 'connecting'),
        'no login attempt with the old password',
      );
      const connected = await setPassword(client, 'second-secret');
      assert.equal(connected.state, 'connected');
      assert.equal(connected.vmCount, 1);
    } finally {
      await client.dispose();
      await first.close();
      await second.close();
    }
  });

  it('keeps the last inventory on disk, labels it stale once the pool is gone, serves it after a restart', async () => {
    const sim = await startSimulator({ fixture: FIXTURE });
    const storagePath = mkdtempSync(join(tmpdir(), 'vmbackup-lsp-cache-'));
    const settings = { pool: { url: sim.url, user: 'root' } };
    const first = new TestClient({ transport: 'stdio', settings, storagePath });
    const text = 'exclude=PROD-ubuntu12-benchmark\nvm-export=PROD-.*\n';
    try {
      await first.initialize();
      await setPassword(first, sim.password);
      await first.open(URI, text);
      assert.match(await hover(first, 1, 12), /Live from pool/);

      await first.connection.sendRequest(Methods.disconnectPool);
      const offline = (await first.connection.sendRequest(Methods.getPoolStatus)) as PoolStatus;
      assert.equal(offline.state, 'stale');
      assert.equal(offline.vmCount, 23);
      const staleHover = await hover(first, 1, 12);
      assert.match(staleHover, /Stale: the VM list of pool `weekend-pool` as of/);
      assert.match(staleHover, /`PROD-ubuntu14` · Running/);

      const again = (await first.connection.sendRequest(Methods.connectPool)) as PoolStatus;
      assert.equal(again.state, 'connected');
      await sim.close();
      await first.waitForPoolStatus('stale after the pool went away', (s) => s.state === 'stale');
      assert.match(await hover(first, 1, 12), /Stale/);
    } finally {
      await first.dispose();
      await sim.close().catch(() => undefined);
    }
    assert.equal(readdirSync(storagePath).filter((f) => f.endsWith('.json')).length, 1, 'one cache file');

    // A new server with the same storage and no password: the cached inventory, labelled stale.
    const second = new TestClient({ transport: 'stdio', settings, storagePath });
    try {
      await second.initialize();
      const status = await second.waitForPoolStatus('stale from the cache', (s) => s.state === 'stale');
      assert.equal(status.vmCount, 23);
      await second.open(URI, text);
      const cached = await hover(second, 1, 12);
      assert.match(cached, /Stale/);
      assert.match(cached, /`PROD-WinSvr` · Running · xvda 40 GiB/);
      // Only the pool's duplicate name DEV-duplicate, which this file does not select (a warning).
      assert.deepEqual(
        (await second.diagnosticsFor(URI)).map((d) => d.code),
        ['VMB046'],
      );
    } finally {
      await second.dispose();
    }
  });

  it('answers hovers at once while a connection attempt hangs', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket)); // accepts, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const client = new TestClient({ transport: 'stdio', settings: { pool: { url: `http://127.0.0.1:${port}` } } });
    try {
      await client.initialize();
      void setPassword(client, 'secret');
      await client.waitForPoolStatus('connecting', (s) => s.state === 'connecting');
      await client.open(URI, 'vm-export=PROD-.*\n');
      const text = await hover(client, 0, 12);
      // The silent server never answers, so the attempt cannot have ended: the hover was
      // answered while it still hangs (asserted by order, not by a time limit).
      assert.equal(client.poolStatuses.at(-1)?.state, 'connecting');
      assert.match(text, /Not connected to http:\/\/127\.0\.0\.1/);
      assert.match(text, /Connecting/);
    } finally {
      await client.dispose();
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});

describe('pool status sentences (issue 12, item 7)', () => {
  it('a refused connection is said as such, not a login failure; a URL without scheme says what to write', async () => {
    // A port nothing listens on: bind one on 127.0.0.1, then close it.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const url = `http://127.0.0.1:${port}`;
    const client = new TestClient({ settings: { pool: { url } } });
    try {
      await client.initialize();
      const refused = await setPassword(client, 'secret');
      assert.equal(refused.state, 'error');
      assert.equal(
        refused.message,
        `Cannot reach ${url}: connection refused: nothing listens there ` +
          "(is it the pool master's address and port?) (ECONNREFUSED).",
      );
      assert.doesNotMatch(refused.message, /password|rejected/i);

      await client.changeSettings({ pool: { url: 'xen1.example.org' } });
      const schemeless = await client.waitForPoolStatus('no scheme', (s) => s.url === 'xen1.example.org');
      assert.equal(schemeless.state, 'error');
      assert.equal(
        schemeless.message,
        'vmbackup.pool.url "xen1.example.org" has no scheme: write https://xen1.example.org',
      );
    } finally {
      await client.dispose();
    }
  });

  it('forgetting the password with no pool URL says that no pool is configured', async () => {
    const client = new TestClient();
    try {
      await client.initialize();
      const status = await setPassword(client, '');
      assert.equal(status.message, 'No pool configured (set vmbackup.pool.url).');
    } finally {
      await client.dispose();
    }
  });
});
