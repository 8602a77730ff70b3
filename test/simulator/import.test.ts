// PUT /import with xen-api's putResource: an export imported back is the same VM with the same
// disk bytes, with a length or in xen-api's 1 PiB "no length" mode, after the empty probe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect as connectSocket } from 'node:net';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { connect, FIXTURES, simulator, vmRef, xe, bodyOf } from './helpers';
import type { FullXapi } from './helpers';
import type { Simulator } from '../sim/index';

interface PutXapi extends FullXapi {
  putResource(body: unknown, path: string, options: { query: Record<string, string> }): Promise<unknown>;
}

async function rawDisks(xapi: FullXapi, sim: Simulator, vm: string): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (const vbd of sim.state.get('VM', vm)!.VBDs as string[]) {
    const r = sim.state.get('VBD', vbd)!;
    if (r.type !== 'Disk') continue;
    const res = await xapi.getResource('/export_raw_vdi/', { query: { vdi: r.VDI as string, format: 'raw' } });
    out.push(await bodyOf(res));
    await res.task;
  }
  return out;
}

test('an exported VM imports back with the same disks (length known, and 1 PiB no-length mode)', async (t) => {
  const sim = await simulator(t, { fixture: join(FIXTURES, 'demo.json') });
  const xapi = (await connect(t, sim)) as PutXapi;
  await xapi.objectsFetched;
  const source = vmRef(sim, 'PROD-mail');
  const xva = await bodyOf(await xapi.getResource('/export/', { query: { ref: source } }));
  const sr = String(sim.state.entries('SR')[0][0]);
  const vmsBefore = sim.state.count('VM');

  const withLength = Object.assign(Readable.from([xva]), { length: xva.length });
  const [imported] = (await xapi.putResource(withLength, '/import/', { query: { sr_id: sr } })) as string[];
  assert.equal(sim.state.count('VM'), vmsBefore + 1, 'exactly one VM created (the probe created none)');
  const rec = sim.state.get('VM', imported)!;
  assert.equal(rec.name_label, 'PROD-mail');
  assert.equal(rec.power_state, 'Halted');
  assert.notEqual(rec.uuid, sim.state.get('VM', source)!.uuid, 'a new uuid without restore=true');
  assert.deepEqual(await rawDisks(xapi, sim, imported), await rawDisks(xapi, sim, source));
  assert.equal((rec.VIFs as string[]).length, 1);

  // The no-length mode as xapi receives it: `content-length: 1 PiB`, the data, then the client
  // closes its side of the connection (import.ml reads until the end of the stream). Sent on
  // a raw socket: with xen-api 4.7.6 under Node 20 the request is destroyed at the end of the
  // body (the length does not match), which drops the last bytes still buffered in the socket
  // (observed here: 4,196,352 of 4,228,096 bytes arrived), so xen-api cannot stand in for it.
  const task = await xapi.call<string>('task.create', 'import', '');
  const url = new URL(sim.url);
  const query = new URLSearchParams({ session_id: String(xapi.sessionId), sr_id: sr, task_id: task });
  const socket = connectSocket(Number(url.port), url.hostname);
  await once(socket, 'connect');
  socket.write(`PUT /import/?${query} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Length: 1125899906842624\r\n\r\n`);
  for (let off = 0; off < xva.length; off += 65536) socket.write(xva.subarray(off, off + 65536));
  socket.end();
  socket.resume();
  await once(socket, 'close');
  // Poll for the positive signal (the task leaves `pending`), as a client of xapi does.
  while ((await xapi.call('task.get_status', task)) === 'pending') await new Promise((r) => setTimeout(r, 20));
  assert.equal(await xapi.call('task.get_status', task), 'success');
  socket.destroy();
  const again = sim.state
    .entries('VM')
    .map(([ref]) => ref)
    .find((ref) => ref !== source && ref !== imported && sim.state.get('VM', ref)?.name_label === 'PROD-mail');
  assert.ok(again, 'the no-length import created the VM');
  assert.deepEqual(await rawDisks(xapi, sim, again), await rawDisks(xapi, sim, source));
});

test('a corrupted chunk fails the import with IMPORT_ERROR unless force=true', async (t) => {
  const sim = await simulator(t, { fixture: join(FIXTURES, 'demo.json') });
  const xapi = (await connect(t, sim)) as PutXapi;
  await xapi.objectsFetched;
  const xva = await bodyOf(await xapi.getResource('/export/', { query: { ref: vmRef(sim, 'DEV-test01') } }));
  // The first chunk's data starts right after ova.xml's header+data and its own header.
  const ovaSize = parseInt(xva.subarray(124, 136).toString('ascii'), 8);
  const firstData = 512 + Math.ceil(ovaSize / 512) * 512 + 512;
  const bad = Buffer.from(xva);
  bad[firstData] ^= 0xff;
  const vms = sim.state.count('VM');
  await assert.rejects(
    xapi.putResource(bad, '/import/', { query: {} }),
    (e: { code: string; params: string[] }) => e.code === 'IMPORT_ERROR' && /Checksum mismatch/.test(e.params[0]),
  );
  assert.equal(sim.state.count('VM'), vms);
  const [forced] = (await xapi.putResource(bad, '/import/', { query: { force: 'true', restore: 'true' } })) as string[];
  assert.equal(sim.state.get('VM', forced)!.name_label, 'DEV-test01');
});

test('xe vm-import restores what xe vm-export wrote (plain, gzip and zstd)', async (t) => {
  const sim = await simulator(t, { fixture: join(FIXTURES, 'demo.json') });
  const dir = await mkdtemp(join(tmpdir(), 'xe-import-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const xapi = await connect(t, sim);
  await xapi.objectsFetched;
  const source = vmRef(sim, 'DEV-test01');
  for (const compress of ['false', 'gzip', 'zstd']) {
    const file = join(dir, `DEV-test01-${compress}.xva`);
    const exported = await xe(sim, [
      'vm-export',
      `uuid=${sim.state.get('VM', source)!.uuid}`,
      `filename=${file}`,
      `compress=${compress}`,
    ]);
    assert.equal(exported.code, 0, exported.stderr);
    const r = await xe(sim, ['vm-import', `filename=${file}`, `sr-uuid=${sim.state.entries('SR')[0][1].uuid}`]);
    assert.equal(r.code, 0, r.stderr);
    const uuid = r.stdout.trim();
    assert.match(uuid, /^[0-9a-f-]{36}$/);
    const imported = sim.state.refByUuid('VM', uuid);
    assert.equal(sim.state.get('VM', imported)!.name_label, 'DEV-test01');
    assert.deepEqual(
      await rawDisks(xapi, sim, imported),
      await rawDisks(xapi, sim, source),
      `${compress}: same disk bytes`,
    );
  }
  const missing = await xe(sim, ['vm-import', `filename=${join(dir, 'nope.xva')}`]);
  assert.deepEqual(
    [missing.code, missing.stderr],
    [1, `Operation failed. Error: Sys_error("${join(dir, 'nope.xva')}: No such file or directory")\n`],
  );
});
