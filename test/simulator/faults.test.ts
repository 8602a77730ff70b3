// Every fault, switched through the library or the HTTP control endpoint, observed from the
// XenAPI side (xen-api or raw JSON-RPC) and from the `xe` command.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, eventually, FIXTURES, simulator, vmRef, vmUuid, xe } from './helpers';
import type { Simulator } from '../sim/index';

async function rpc(
  sim: Simulator,
  method: string,
  params: unknown[],
): Promise<{ result?: unknown; error?: { message: string; data: string[] } }> {
  const res = await fetch(`${sim.url}/jsonrpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 0, jsonrpc: '2.0', method, params }),
  });
  return (await res.json()) as { result?: unknown; error?: { message: string; data: string[] } };
}

async function control(sim: Simulator, body: unknown): Promise<Response> {
  return fetch(`${sim.url}/_sim/faults`, { method: 'POST', body: JSON.stringify(body) });
}

async function scratch(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sim-faults-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function drain(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

test('control endpoint validates and reports settings', async (t) => {
  const sim = await simulator(t);
  assert.equal((await control(sim, { nope: 1 })).status, 400);
  assert.equal((await control(sim, { exportFailAfterBytes: -5 })).status, 400);
  const ok = await control(sim, { exportBytesPerSecond: 1000 });
  assert.equal(ok.status, 200);
  assert.equal(sim.faults.settings.exportBytesPerSecond, 1000);
  const shown = (await (await fetch(`${sim.url}/_sim/faults`)).json()) as { exportBytesPerSecond: number };
  assert.equal(shown.exportBytesPerSecond, 1000);
  await control(sim, { reset: true });
  assert.equal(sim.faults.settings.exportBytesPerSecond, null);
});

test('snapshot failure: VM.snapshot and VDI.snapshot fail, xe prints the error', async (t) => {
  const sim = await simulator(t);
  const xapi = await connect(t, sim);
  sim.faults.set({ snapshotFailure: true });
  await assert.rejects(
    xapi.call('VM.snapshot', vmRef(sim, 'DEV-RH7'), 'RESTORE_DEV-RH7'),
    (e: { code: string }) => e.code === 'SR_BACKEND_FAILURE_44',
  );
  const r = await xe(sim, ['vm-snapshot', `vm=${vmUuid(sim, 'DEV-RH7')}`, 'new-name-label=RESTORE_DEV-RH7']);
  assert.deepEqual(
    [r.code, r.stdout, r.stderr],
    [1, '', 'Error code: SR_BACKEND_FAILURE_44\nError parameters: , There is insufficient space, \n'],
  );
  await control(sim, {
    snapshotFailure: { code: 'SR_BACKEND_FAILURE_82', params: ['', 'Failed to snapshot VDI', ''] },
  });
  const vdi = String(sim.state.entries('VDI')[0][1].uuid);
  const v = await xe(sim, ['vdi-snapshot', `uuid=${vdi}`]);
  assert.equal(v.code, 1);
  assert.match(v.stderr, /^Error code: SR_BACKEND_FAILURE_82\n/);
  assert.equal(sim.state.entries('VM').filter(([, x]) => x.name_label === 'RESTORE_DEV-RH7').length, 0);
});

test('export failing after N bytes: VDI_IO_ERROR on the task, partial body, xe exit 1', async (t) => {
  const sim = await simulator(t);
  const dir = await scratch(t);
  const xapi = await connect(t, sim);
  await xapi.objectsFetched;
  sim.faults.set({ exportFailAfterBytes: 3_000_000 });
  const res = await xapi.getResource('/export/', { query: { ref: vmRef(sim, 'DEV-RH6') } });
  const body = await drain(res.body);
  assert.ok(
    body.subarray(3_000_000).toString('latin1').startsWith('HTTP/1.1 500'),
    'XAPI writes the HTTP 500 into the body',
  );
  await assert.rejects(
    res.task!,
    (e: { code: string; params: string[] }) => e.code === 'VDI_IO_ERROR' && e.params[0] === 'Device I/O errors',
  );
  const file = join(dir, 'DEV-RH6.xva');
  const r = await xe(sim, ['vm-export', `vm=DEV-RH6`, `filename=${file}`]);
  assert.deepEqual(
    [r.code, r.stdout, r.stderr],
    [1, '', 'Error code: VDI_IO_ERROR\nError parameters: Device I/O errors\n'],
  );
  assert.ok((await stat(file)).size >= 3_000_000, 'the partial file stays, as with the real xe');
  const raw = await xe(sim, [
    'vdi-export',
    `uuid=${sim.state.entries('VDI')[0][1].uuid}`,
    `filename=${join(dir, 'd.raw')}`,
  ]);
  assert.equal(raw.code, 1);
});

test('disk full while xe writes the output file', async (t) => {
  const sim = await simulator(t);
  const dir = await scratch(t);
  await control(sim, { outputDiskFullAfterBytes: 1_500_000 });
  const file = join(dir, 'DEV-RH6.xva');
  const r = await xe(sim, ['vm-export', 'vm=DEV-RH6', `filename=${file}`]);
  assert.deepEqual(
    [r.code, r.stdout, r.stderr],
    [1, '', 'Operation failed. Error: Unix.Unix_error(Unix.ENOSPC, "write", "")\n'],
  );
  assert.equal((await stat(file)).size, 1_500_000);
  // The server side sees the client go away: the export task fails, nothing stays pending.
  await eventually(() => sim.state.entries('task').every(([, task]) => task.status !== 'pending'), 'no pending task');
  sim.faults.set({ outputDiskFullAfterBytes: 1000 });
  const d = await xe(sim, ['pool-dump-database', `file-name=${join(dir, 'db.dump')}`]);
  assert.deepEqual([d.code, d.stderr], [1, 'Operation failed. Error: Unix.Unix_error(Unix.ENOSPC, "write", "")\n']);
  assert.equal((await stat(join(dir, 'db.dump'))).size, 1000);
});

test('slow export: downloads are throttled', async (t) => {
  const sim = await simulator(t, { fixture: join(FIXTURES, 'demo.json') });
  const dir = await scratch(t);
  const xapi = await connect(t, sim);
  await xapi.objectsFetched;
  sim.faults.set({ exportBytesPerSecond: 4 * 1024 * 1024 });
  const vdi = sim.state.get('VBD', (sim.state.get('VM', vmRef(sim, 'PROD-web01'))!.VBDs as string[])[0])!.VDI as string;
  let started = Date.now();
  const body = await drain((await xapi.getResource('/export_raw_vdi/', { query: { vdi, format: 'raw' } })).body);
  assert.equal(body.length, 8 * 1024 * 1024);
  assert.ok(Date.now() - started >= 1800, `8 MiB at 4 MiB/s takes about 2 s (took ${Date.now() - started} ms)`);
  started = Date.now();
  const r = await xe(sim, ['vdi-export', `uuid=${sim.state.get('VDI', vdi)!.uuid}`, `filename=${join(dir, 'x.raw')}`]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(Date.now() - started >= 1800, 'xe download throttled too');
});

test('session expiry: SESSION_INVALID on the wire, xen-api logs in again, xe mid-export fails', async (t) => {
  const sim = await simulator(t, { fixture: join(FIXTURES, 'demo.json') });
  const dir = await scratch(t);
  const login = await rpc(sim, 'session.login_with_password', ['root', 'secret']);
  const session = login.result as string;
  assert.ok(Array.isArray((await rpc(sim, 'VM.get_all', [session])).result));
  const xapi = await connect(t, sim);
  await xapi.objectsFetched;
  sim.faults.expireSessions();
  assert.equal(sim.state.count('session'), 0);
  assert.deepEqual((await rpc(sim, 'VM.get_all', [session])).error, {
    code: 1,
    message: 'SESSION_INVALID',
    data: [session],
  });
  assert.ok((await xapi.call<string[]>('VM.get_all')).length > 0, 'xen-api recovers by logging in again');
  assert.equal(sim.state.count('session'), 1, 'a new session');
  sim.faults.set({ exportBytesPerSecond: 2 * 1024 * 1024 });
  const pending = xe(sim, ['vm-export', 'vm=PROD-mail', `filename=${join(dir, 'mail.xva')}`]);
  // Expire once xe is inside the export (its task exists), not before it logged in.
  await eventually(
    () => sim.state.entries('task').some(([, task]) => task.name_label === 'Export of VM'),
    'xe export task',
    15000,
  );
  await control(sim, { expireSessions: true });
  const r = await pending;
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^You gave an invalid session reference\. .*\nhandle: OpaqueRef:/);
});

test('XAPI down: connections are reset for xen-api and xe; back up afterwards', async (t) => {
  const sim = await simulator(t);
  const xapi = await connect(t, sim);
  await xapi.objectsFetched;
  await control(sim, { xapiDown: true });
  await assert.rejects(xapi.call('VM.get_all_records'));
  const r = await xe(sim, ['vm-list']);
  assert.deepEqual([r.code, r.stdout, r.stderr], [1, '', 'Lost connection to the server.\n']);
  await control(sim, { xapiDown: false });
  assert.equal(
    (await xe(sim, ['host-list', 'name-label=xenserver1', 'params=name-label', '--minimal'])).stdout,
    'xenserver1\n',
  );
});

test('HOST_IS_SLAVE: every call on the main port redirects to the master', async (t) => {
  const sim = await simulator(t);
  sim.faults.set({ hostIsSlave: true });
  assert.deepEqual((await rpc(sim, 'session.login_with_password', ['root', 'secret'])).error, {
    code: 1,
    message: 'HOST_IS_SLAVE',
    data: ['127.0.0.1'],
  });
  await assert.rejects(connect(undefined, sim), (e: { code: string }) => e.code === 'HOST_IS_SLAVE');
  const r = await xe(sim, ['vm-list']);
  assert.deepEqual(
    [r.code, r.stderr],
    [
      1,
      'You cannot make regular API calls directly on a supporter. Please pass API calls via the coordinator host.\n' +
        'Master IP address: 127.0.0.1\n',
    ],
  );
});

test('duplicate names appearing: an event for xen-api, an ambiguous name for xe', async (t) => {
  const sim = await simulator(t);
  const xapi = await connect(t, sim);
  await xapi.objectsFetched;
  const res = await control(sim, { addDuplicateName: 'DEV-RH7' });
  const { added } = (await res.json()) as { added: string[] };
  assert.equal(added.length, 1);
  await eventually(
    () => Object.values(xapi.objects.all).filter((o) => o.$type === 'VM' && o.name_label === 'DEV-RH7').length === 2,
    'add event for the duplicate',
  );
  const list = await xe(sim, ['vm-list', 'name-label=DEV-RH7', 'params=uuid', '--minimal']);
  assert.equal(list.stdout.trim().split(',').length, 2);
  const snap = await xe(sim, ['vm-snapshot', 'vm=DEV-RH7', 'new-name-label=RESTORE_DEV-RH7']);
  assert.equal(snap.code, 1);
  assert.match(snap.stderr, /Multiple matches VMs found/);
  assert.match(sim.addVm({ name: 'DEV-RH7' }), /^[0-9a-f-]{36}$/);
});

test('a slow export reports task progress while it streams', async (t) => {
  const sim = await simulator(t, { fixture: join(FIXTURES, 'demo.json') });
  const xapi = await connect(t, sim);
  await xapi.objectsFetched;
  sim.faults.set({ exportBytesPerSecond: 2 * 1024 * 1024 });
  const vdi = sim.state.get('VBD', (sim.state.get('VM', vmRef(sim, 'PROD-web01'))!.VBDs as string[])[0])!.VDI as string;
  const res = await xapi.getResource('/export_raw_vdi/', { query: { vdi, format: 'raw' } });
  const task = String(res.headers['task-id']);
  const seen = new Set<number>();
  const watcher = setInterval(() => {
    const p = sim.state.get('task', task)?.progress;
    if (typeof p === 'number') seen.add(p);
  }, 50);
  await drain(res.body);
  await res.task;
  clearInterval(watcher);
  assert.ok(
    [...seen].some((p) => p > 0 && p < 1),
    `intermediate progress seen: ${[...seen].join(', ')}`,
  );
});

test('exportDamage: xe exits 0 and says the export succeeded, the file is damaged the way asked', async (t) => {
  const sim = await simulator(t);
  const dir = await scratch(t);
  assert.equal((await control(sim, { exportDamage: 'no-such-damage' })).status, 400);
  const exportTo = async (name: string, args: string[]) => {
    const file = join(dir, name);
    const r = await xe(sim, [...args, `filename=${file}`]);
    assert.equal(r.code, 0, r.stderr);
    return readFile(file);
  };
  const vdi = String(sim.state.entries('VDI').find(([, v]) => Number(v.virtual_size) > 0)![1].uuid);
  const xva = await exportTo('good.xva', ['vm-export', 'vm=DEV-RH6']);
  const vhd = await exportTo('good.vhd', ['vdi-export', `uuid=${vdi}`, 'format=vhd']);
  const damaged = async (damage: string, args: string[], name: string) => {
    sim.faults.set({ exportDamage: damage as 'cut-at-member' });
    try {
      return await exportTo(name, args);
    } finally {
      sim.faults.reset();
    }
  };
  const vm = ['vm-export', 'vm=DEV-RH6'];
  for (const damage of ['cut-at-member', 'cut-in-header', 'cut-in-data', 'missing-chunk']) {
    const file = await damaged(damage, vm, `${damage}.xva`);
    assert.ok(file.length < xva.length && xva.subarray(0, 100).equals(file.subarray(0, 100)), damage);
  }
  assert.equal((await damaged('no-end-blocks', vm, 'no-end.xva')).length, xva.length - 1024);
  assert.equal((await damaged('cut-last-piece', vm, 'cut-last.xva')).length, xva.length - 512);
  const badSum = await damaged('bad-chunk-checksum', vm, 'bad-sum.xva');
  assert.ok(badSum.length === xva.length && !badSum.equals(xva));
  const badFooter = await damaged('vhd-bad-footer', ['vdi-export', `uuid=${vdi}`, 'format=vhd'], 'bad.vhd');
  // the footer carries a timestamp, so compare its copy at the start with it: equal only when undamaged
  assert.ok(vhd.subarray(0, 512).equals(vhd.subarray(-512)));
  assert.ok(badFooter.length === vhd.length && badFooter.subarray(512, -512).equals(vhd.subarray(512, -512)));
  assert.ok(!badFooter.subarray(0, 512).equals(badFooter.subarray(-512)));
});
