// The xapi transport's download (runner/src/host/xapi-download.ts) against a real HTTP server
// on 127.0.0.1: the archive check runs on the bytes while they are written (damage found
// before the stream ends: the download stops and closes the connection), the file is written
// once (mode 0600, every byte), redirects keep our port and scheme when the Location has none
// (xapi's export.ml redirect names no port; xe keeps its own).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Agent } from 'undici';
import { download, redirectTarget } from '../../runner/src/host/xapi-download';
import { ArchiveDamage } from '../../runner/src/archive/index';
import { tempDir } from '../runner/helpers';

const dispatcher = new Agent();
const servers: Server[] = [];
after(async () => {
  for (const s of servers) s.close();
  await dispatcher.close();
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<URL> {
  const server = createServer(handler);
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return new URL(`http://127.0.0.1:${port}/`);
}

test('damage found while the body streams: the download ends before the server does, connection closed', async () => {
  let closed!: () => void;
  const connectionClosed = new Promise<void>((resolve) => (closed = resolve));
  const base = await serve((req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    // 2 MiB for a 1 MiB disk, then the server waits: it never ends the response itself.
    res.write(Buffer.alloc(2 * 1024 * 1024, 7));
    req.socket.on('close', closed);
  });
  const file = join(tempDir('vmbackup-dl-'), 'disk.raw');
  const outcome = await download({
    base,
    path: '/export_raw_vdi',
    query: { format: 'raw' },
    dispatcher,
    file,
    check: { kind: 'raw', virtualSize: 1024 * 1024 },
  });
  assert.equal(outcome.kind, 'written');
  assert.ok(outcome.kind === 'written' && outcome.damage instanceof ArchiveDamage);
  assert.match(String(outcome.kind === 'written' && outcome.damage?.message), /longer than the disk's virtual size/);
  await connectionClosed;
});

test("a good stream: every byte written once, mode 0600, the check's summary returned with it", async () => {
  const size = 3 * 1024 * 1024 + 512;
  const body = Buffer.alloc(size);
  for (let i = 0; i < size; i++) body[i] = (i * 31) & 0xff;
  const base = await serve((req, res) => {
    assert.match(req.url ?? '', /^\/export_raw_vdi\?vdi=OpaqueRef%3A1&format=raw$/);
    res.writeHead(200);
    res.end(body);
  });
  const file = join(tempDir('vmbackup-dl-'), 'disk.raw');
  const outcome = await download({
    base,
    path: '/export_raw_vdi',
    query: { vdi: 'OpaqueRef:1', format: 'raw' },
    dispatcher,
    file,
    check: { kind: 'raw', virtualSize: size },
  });
  assert.deepEqual(outcome.kind === 'written' && outcome.summary?.image, { format: 'raw', bytes: size });
  assert.ok(readFileSync(file).equals(body));
  assert.equal(statSync(file).mode & 0o777, 0o600);
});

test('a redirect without a port keeps our port and scheme (xe keeps its own); an explicit one is followed', () => {
  const from = new URL('http://127.0.0.1:8443/export?ref=x');
  assert.equal(redirectTarget(from, 'https://127.0.0.2/export?ref=x').href, 'http://127.0.0.2:8443/export?ref=x');
  assert.equal(
    redirectTarget(new URL('https://pool/export'), 'https://member/export?a=1').href,
    'https://member/export?a=1',
  );
  assert.equal(redirectTarget(from, 'https://127.0.0.2:9000/e').href, 'https://127.0.0.2:9000/e');
});

test('a redirect to a host that does not answer: unreachable, and no file is made', async () => {
  const dead = await serve(() => undefined);
  const stopped = servers.pop()!;
  stopped.close();
  await once(stopped, 'close');
  const base = await serve((_req, res) => {
    res.writeHead(302, { location: `http://127.0.0.1:${dead.port}/export?ref=x` });
    res.end();
  });
  const file = join(tempDir('vmbackup-dl-'), 'vm.xva');
  const outcome = await download({ base, path: '/export', query: {}, dispatcher, file });
  assert.equal(outcome.kind, 'unreachable');
  assert.ok(outcome.kind === 'unreachable' && /ECONNREFUSED/.test(outcome.reason), JSON.stringify(outcome));
  assert.throws(() => statSync(file), /ENOENT/);
});
