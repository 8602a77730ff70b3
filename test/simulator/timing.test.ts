// The timing model: operations wait on the server (call or task pending, no CPU) for the configured
// time, and concurrent operations overlap instead of queueing — observed through xen-api and
// through the `xe` command, which goes through the server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { connect, simulator, vmRef, vmUuid, xe } from './helpers';
import { TIMING_PROFILES, holdActivity, releaseHolds, whenHolding, type Fixture, type Simulator } from '../sim/index';

const N = 4;
const FIXTURE: Fixture = {
  name: 'timing',
  generate: [{ name: 'tm-{n}', count: N, power: 'Halted', disks: [{ size: '4MiB', used: 1 }], vifs: [] }],
};
const names = Array.from({ length: N }, (_, i) => `tm-${i + 1}`);

// libuv timers count from the start of the loop iteration: a timer may end up to ~1 ms before
// performance.now() says the full delay has passed.
const SLACK = 2;

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await work();
  return { ms: performance.now() - t0, value };
}

function timingEndpoint(sim: Simulator, body?: unknown): Promise<Response> {
  return body === undefined ? fetch(`${sim.url}/_sim/timing`) : fetch(`${sim.url}/_sim/timing`, { method: 'POST', body: JSON.stringify(body) });
}

test('timing: instant by default; profiles and values from options, fixture and /_sim/timing', async (t) => {
  const plain = await simulator(t, { fixture: FIXTURE });
  assert.deepEqual(plain.timing.settings, TIMING_PROFILES.instant);
  const fromFixture = await simulator(t, { fixture: { ...FIXTURE, timing: 'realistic' } });
  assert.deepEqual(fromFixture.timing.settings, TIMING_PROFILES.realistic);
  const fromOptions = await simulator(t, { fixture: { ...FIXTURE, timing: 'realistic' }, timing: { snapshotMs: 50 } });
  assert.deepEqual(fromOptions.timing.settings, { ...TIMING_PROFILES.realistic, snapshotMs: 50 });

  assert.equal((await timingEndpoint(plain, { snapshotMs: -1 })).status, 400);
  assert.equal((await timingEndpoint(plain, { nope: 1 })).status, 400);
  const bad = await timingEndpoint(plain, 'glacial');
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { error: string }).error, /unknown timing profile "glacial" \(known: instant, realistic\)/);
  assert.equal((await timingEndpoint(plain, { exportBytesPerSecond: 0 })).status, 400);
  assert.deepEqual(plain.timing.settings, TIMING_PROFILES.instant, 'a refused change changes nothing');

  assert.equal((await timingEndpoint(plain, 'realistic')).status, 200);
  assert.deepEqual(await (await timingEndpoint(plain)).json(), TIMING_PROFILES.realistic);
  await timingEndpoint(plain, { profile: 'instant', destroyMs: 20 });
  assert.deepEqual(plain.timing.settings, { ...TIMING_PROFILES.instant, destroyMs: 20 });
  await assert.rejects(() => simulator(t, { fixture: { ...FIXTURE, timing: { snapshotSeconds: 1 } as never } }), /unknown timing setting snapshotSeconds/);
});

test('xen-api: VM.snapshot waits snapshotMs on the server, and concurrent snapshots overlap', { timeout: 60_000 }, async (t) => {
  const delay = 300;
  const sim = await simulator(t, { fixture: FIXTURE, timing: { snapshotMs: delay } });
  const xapi = await connect(t, sim);
  const one = await timed(() => xapi.call<string>('VM.snapshot', vmRef(sim, 'tm-1'), 'snap-1'));
  assert.ok(one.ms >= delay - SLACK, `one snapshot took ${one.ms.toFixed(0)} ms, expected >= ${delay}`);
  assert.equal(sim.state.get('VM', one.value)?.is_a_snapshot, true);

  // Overlap, shown by the server's own count (not by a duration): with a wait far longer than
  // the test, all N are held at once, then released.
  sim.timing.set({ snapshotMs: 600_000 });
  const all = Promise.all(names.map((n) => xapi.call<string>('VM.snapshot', vmRef(sim, n), `snap-${n}`)));
  await whenHolding(sim.timing.settings, N);
  assert.equal(holdActivity(sim.timing.settings).active, N, 'every snapshot is in progress at the same time');
  releaseHolds(sim.timing.settings);
  assert.equal(new Set(await all).size, N);
});

test('xen-api: Async.VM.snapshot keeps its task pending for snapshotMs; VDI.destroy waits destroyMs', async (t) => {
  const sim = await simulator(t, { fixture: FIXTURE, timing: { snapshotMs: 300, destroyMs: 200 } });
  const xapi = await connect(t, sim);
  const t0 = performance.now();
  const task = await xapi.call<string>('Async.VM.snapshot', vmRef(sim, 'tm-2'), 'async-snap');
  assert.equal(await xapi.call('task.get_status', task), 'pending');
  while ((await xapi.call('task.get_status', task)) === 'pending') await new Promise((r) => setTimeout(r, 20));
  assert.ok(performance.now() - t0 >= 300 - SLACK);
  assert.equal(await xapi.call('task.get_status', task), 'success');

  const vdi = sim.state.entries('VDI').find(([, r]) => !r.is_a_snapshot)![0];
  const destroy = await timed(() => xapi.call('VDI.destroy', vdi));
  assert.ok(destroy.ms >= 200 - SLACK, `VDI.destroy took ${destroy.ms.toFixed(0)} ms`);
  assert.equal(sim.state.has('VDI', vdi), false);
});

test('xen-api: an export waits taskMs before its first byte and streams at exportBytesPerSecond', async (t) => {
  const rate = 16_000_000;
  const sim = await simulator(t, { fixture: FIXTURE, timing: { taskMs: 250, exportBytesPerSecond: rate } });
  const xapi = await connect(t, sim);
  const t0 = performance.now();
  const res = await xapi.getResource('/export/', { query: { ref: vmRef(sim, 'tm-3') } });
  assert.ok(performance.now() - t0 >= 250 - SLACK, 'headers came before taskMs');
  let bytes = 0;
  for await (const chunk of res.body) bytes += chunk.length;
  await res.task;
  const ms = performance.now() - t0;
  assert.ok(bytes > 4 * 1024 * 1024, `XVA of a full 4 MiB disk, got ${bytes} bytes`);
  assert.ok(ms >= 250 + (bytes / rate) * 1000 - SLACK, `export took ${ms.toFixed(0)} ms for ${bytes} bytes at ${rate} B/s`);
});

test('xe: vm-snapshot waits while the server works; concurrent xe snapshots overlap', { timeout: 60_000 }, async (t) => {
  const delay = 600;
  const sim = await simulator(t, { fixture: FIXTURE });
  assert.equal((await timingEndpoint(sim, { snapshotMs: delay })).status, 200);
  const snapshot = (n: string) => timed(() => xe(sim, ['vm-snapshot', `vm=${vmUuid(sim, n)}`, `new-name-label=xe-${n}`]));
  const before = sim.state.count('VM');
  let exited = false;
  const first = snapshot('tm-1').finally(() => (exited = true));
  // While the server holds the snapshot, nothing is made yet and xe is still waiting for it.
  await whenHolding(sim.timing.settings, 1);
  assert.equal(sim.state.count('VM'), before, 'no snapshot while the server is working on it');
  assert.equal(exited, false, 'xe waits for the server');
  const one = await first;
  assert.equal(one.value.code, 0, one.value.stderr);
  assert.match(one.value.stdout, /^[0-9a-f-]{36}\n$/);
  assert.ok(one.ms >= delay - SLACK, `xe vm-snapshot took ${one.ms.toFixed(0)} ms, expected >= ${delay}`);
  assert.equal(sim.state.count('VM'), before + 1);

  // N xe processes: the server holds all N at once (overlap shown by its count, not a duration).
  sim.timing.set({ snapshotMs: 600_000 });
  const all = Promise.all(names.map(snapshot));
  await whenHolding(sim.timing.settings, N);
  assert.equal(holdActivity(sim.timing.settings).active, N);
  releaseHolds(sim.timing.settings);
  for (const r of await all) assert.equal(r.value.code, 0, r.value.stderr);
  assert.equal(sim.state.count('VM'), before + 1 + N);
});

test('xe: vm-uninstall and vdi-destroy wait destroyMs per disk; errors still come through the task', async (t) => {
  const sim = await simulator(t, { fixture: FIXTURE, timing: { destroyMs: 300, snapshotMs: 100 } });
  const snap = await xe(sim, ['vm-snapshot', `vm=${vmUuid(sim, 'tm-4')}`, 'new-name-label=to-remove']);
  assert.equal(snap.code, 0, snap.stderr);
  const uninstall = await timed(() => xe(sim, ['snapshot-uninstall', `uuid=${snap.stdout.trim()}`, 'force=true']));
  assert.equal(uninstall.value.code, 0, uninstall.value.stderr);
  assert.ok(uninstall.ms >= 300 - SLACK, `uninstall of a one-disk snapshot took ${uninstall.ms.toFixed(0)} ms`);
  assert.equal(sim.state.entries('VM').some(([, r]) => r.name_label === 'to-remove'), false);

  const vdi = String(sim.state.entries('VDI').find(([, r]) => !r.is_a_snapshot)![1].uuid);
  const destroy = await timed(() => xe(sim, ['vdi-destroy', `uuid=${vdi}`]));
  assert.equal(destroy.value.code, 0, destroy.value.stderr);
  assert.ok(destroy.ms >= 300 - SLACK);

  sim.faults.set({ snapshotFailure: true });
  const failed = await timed(() => xe(sim, ['vm-snapshot', `vm=${vmUuid(sim, 'tm-1')}`, 'new-name-label=never']));
  assert.deepEqual([failed.value.code, failed.value.stderr], [1, 'Error code: SR_BACKEND_FAILURE_44\nError parameters: , There is insufficient space, \n']);
  assert.ok(failed.ms >= 100 - SLACK, 'the storage works for snapshotMs before failing');
});

test('xe: an export to a file honours taskMs (the download waits on the server)', async (t) => {
  const sim = await simulator(t, { fixture: FIXTURE, timing: { taskMs: 400 } });
  const dir = await mkdtemp(join(tmpdir(), 'sim-timing-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const r = await timed(() => xe(sim, ['vm-export', `uuid=${vmUuid(sim, 'tm-1')}`, `filename=${join(dir, 'a.xva')}`]));
  assert.equal(r.value.code, 0, r.value.stderr);
  assert.equal(r.value.stdout, 'Export succeeded\n');
  assert.ok(r.ms >= 400 - SLACK, `xe vm-export took ${r.ms.toFixed(0)} ms`);
});
