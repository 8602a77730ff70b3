// The real xen-api@4.7.6 client against the simulator: connect over JSON-RPC and XML-RPC, read
// every record, follow events, download exports through getResource.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';
import { checkXva, readTar, parseOva } from './xva';
import { connect, eventually, FIXTURES, simulator, vmRef, vmUuid, bodyOf } from './helpers';
import { join } from 'node:path';

for (const transport of ['json-rpc', 'xml-rpc'] as const) {
  test(`xen-api connects over ${transport} and reads every record`, async (t) => {
    const sim = await simulator(t);
    const xapi = await connect(t, sim, { transport });
    assert.equal(xapi.status, 'connected');
    await xapi.objectsFetched;
    const vms = await xapi.call<Record<string, Record<string, unknown>>>('VM.get_all_records');
    assert.equal(Object.keys(vms).length, sim.state.count('VM'));
    const rec = Object.values(vms).find((v) => v.name_label === 'PROD-ubuntu14')!;
    assert.equal(rec.power_state, 'Running');
    // JSON-RPC gives numbers, XML-RPC gives int64 as strings (as from a real host).
    assert.equal(Number(rec.memory_static_max), 4 * 1024 ** 3);
    assert.equal(typeof rec.memory_static_max, transport === 'json-rpc' ? 'number' : 'string');
    // The event-fed cache holds every object of every listed class.
    const cached = Object.values(xapi.objects.all);
    for (const cls of ['pool', 'host', 'VM', 'VBD', 'VDI', 'SR', 'VIF', 'network', 'PIF', 'PBD', 'VM_metrics']) {
      assert.equal(cached.filter((o) => o.$type === cls).length, sim.state.count(cls), `cached ${cls} records`);
    }
    const vdi = await xapi.call<string>(
      'VDI.get_by_uuid',
      sim.state.get('VDI', sim.state.get('VBD', (rec.VBDs as string[])[0])!.VDI as string)!.uuid,
    );
    assert.match(vdi, /^OpaqueRef:/);
    await assert.rejects(
      xapi.call('VM.get_record', 'OpaqueRef:bogus'),
      (e: { code: string; params: string[] }) => e.code === 'HANDLE_INVALID' && e.params[0] === 'VM',
    );
    await assert.rejects(
      xapi.call('VM.get_by_uuid', 'bogus'),
      (e: { code: string; params: string[] }) => e.code === 'UUID_INVALID' && e.params.join() === 'VM,bogus',
    );
  });
}

for (const transport of ['json-rpc', 'xml-rpc'] as const) {
  test(`xen-api sees snapshot create and destroy as events (${transport})`, async (t) => {
    const sim = await simulator(t);
    const xapi = await connect(t, sim, { transport });
    await xapi.objectsFetched;
    const byRef = (ref: string) => xapi.getObjectByRef(ref, undefined);
    const vm = vmRef(sim, 'DEV-RH7');
    const snap = await xapi.call<string>('VM.snapshot', vm, 'RESTORE_DEV-RH7');
    await eventually(() => byRef(snap)?.name_label === 'RESTORE_DEV-RH7', 'snapshot add event');
    const cachedSnap = byRef(snap)!;
    assert.equal(cachedSnap.is_a_snapshot, true);
    assert.equal(cachedSnap.is_a_template, true);
    assert.equal(cachedSnap.snapshot_of, vm);
    await eventually(() => (byRef(vm)!.snapshots as string[]).includes(snap), 'source VM mod event');
    const snapVdis = (cachedSnap.VBDs as string[]).map((vbd) => sim.state.get('VBD', vbd)!.VDI as string);
    assert.ok(
      snapVdis.every((v) => byRef(v)),
      'snapshot VDIs arrived as add events',
    );

    await xapi.call('VM.set_is_a_template', snap, false);
    await eventually(() => byRef(snap)!.is_a_template === false, 'set_is_a_template mod event');
    await xapi.call('VM.destroy', snap);
    for (const vdi of snapVdis) await xapi.call('VDI.destroy', vdi);
    await eventually(() => !byRef(snap) && snapVdis.every((v) => !byRef(v)), 'del events');
    assert.deepEqual(byRef(vm)!.snapshots, []);
  });
}

test('xen-api downloads a VM export through getResource: a valid XVA with verified chunks', async (t) => {
  const sim = await simulator(t);
  const xapi = await connect(t, sim);
  await xapi.objectsFetched;
  const snap = await xapi.call<string>('VM.snapshot', vmRef(sim, 'PROD-ubuntu14'), 'RESTORE_PROD-ubuntu14');
  const res = await xapi.getResource('/export/', { query: { ref: snap, use_compression: 'false' } });
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['task-id']), /^OpaqueRef:/);
  const archive = await bodyOf(res);
  assert.equal(await res.task, '');
  const { ova, disks } = await checkXva(archive);
  const vm = ova.objects.find((o) => o.class === 'VM')!;
  assert.equal(vm.snapshot.name_label, 'RESTORE_PROD-ubuntu14');
  assert.equal(vm.snapshot.is_a_snapshot, false, 'exported record is not marked a snapshot');
  assert.equal(vm.snapshot.power_state, 'Halted');
  const vdiObjects = ova.objects.filter((o) => o.class === 'VDI');
  assert.deepEqual([...disks.keys()].sort(), vdiObjects.map((o) => o.id).sort(), 'one chunk directory per disk');
  const size = Number(vdiObjects[0].snapshot.virtual_size);
  const chunks = disks.get(vdiObjects[0].id)!;
  assert.equal(chunks[0], 0, 'first chunk present');
  assert.equal(chunks.at(-1), Math.ceil(size / 2 ** 20) - 1, 'last chunk present');
  assert.ok(chunks.length < size / 2 ** 20 / 10, 'sparse: zero chunks skipped');
  for (const cls of ['host', 'VM_metrics', 'VBD', 'VIF', 'network', 'SR'])
    assert.ok(
      ova.objects.some((o) => o.class === cls),
      `ova.xml has ${cls}`,
    );
  // The export's task was adopted and completed; xen-api destroyed it afterwards.
  await eventually(() => sim.state.count('task') === 0, 'task destroyed');
});

test('compressed exports (gzip, zstd) hold the same archive', async (t) => {
  const sim = await simulator(t);
  const xapi = await connect(t, sim);
  await xapi.objectsFetched;
  const vm = vmRef(sim, 'DEV-RH6');
  const plain = await bodyOf(await xapi.getResource('/export/', { query: { ref: vm } }));
  const gz = await bodyOf(await xapi.getResource('/export/', { query: { ref: vm, use_compression: 'true' } }));
  const zst = await bodyOf(
    await xapi.getResource('/export/', { query: { uuid: vmUuid(sim, 'DEV-RH6'), use_compression: 'zstd' } }),
  );
  // Ref:N ids come from a counter that keeps growing between exports, as on XAPI.
  const strip = (entries: { path: string; data: Buffer }[]) =>
    entries
      .filter((e) => e.path !== 'ova.xml')
      .map((e) => `${e.path.replace(/^Ref:\d+\//, '')}:${createHash('sha1').update(e.data).digest('hex')}`);
  const reference = strip(await readTar(plain));
  assert.ok(gz.length < plain.length && zst.length < plain.length, 'compression shrinks the export');
  assert.deepEqual(strip((await checkXva(gunzipSync(gz))).entries), reference);
  assert.deepEqual(strip((await checkXva(Buffer.from(zstdDecompress(zst)))).entries), reference);
});

test('a running VM cannot be exported: HTTP 500 and VM_BAD_POWER_STATE on the task', async (t) => {
  const sim = await simulator(t);
  const xapi = await connect(t, sim);
  await xapi.objectsFetched;
  await assert.rejects(xapi.getResource('/export/', { query: { ref: vmRef(sim, 'PROD-ubuntu14') } }), /unexpected 500/);
});

test('export_raw_vdi: raw bytes and a valid dynamic VHD', async (t) => {
  const sim = await simulator(t, { fixture: join(FIXTURES, 'demo.json') });
  const xapi = await connect(t, sim);
  await xapi.objectsFetched;
  const vm = sim.state.get('VM', vmRef(sim, 'PROD-db01'))!;
  const vdi = sim.state.get('VBD', (vm.VBDs as string[])[0])!.VDI as string;
  const size = Number(sim.state.get('VDI', vdi)!.virtual_size);
  const rawRes = await xapi.getResource('/export_raw_vdi/', { query: { vdi, format: 'raw' } });
  const raw = await bodyOf(rawRes);
  await rawRes.task;
  assert.equal(raw.length, size);
  assert.ok(
    raw.subarray(0, 4096).some((b) => b !== 0),
    'first chunk holds data',
  );
  const vhdRes = await xapi.getResource('/export_raw_vdi/', {
    query: { vdi: String(sim.state.get('VDI', vdi)!.uuid), format: 'vhd' },
  });
  assert.equal(vhdRes.headers['content-type'], 'application/vhd');
  const vhd = await bodyOf(vhdRes);
  const footer = vhd.subarray(vhd.length - 512);
  assert.equal(footer.subarray(0, 8).toString('ascii'), 'conectix');
  assert.deepEqual(footer, vhd.subarray(0, 512), 'footer copy at the start');
  assert.equal(footer.readBigUInt64BE(48), BigInt(size), 'current size');
  assert.equal(footer.readUInt32BE(60), 3, 'dynamic disk');
  let sum = 0;
  for (let i = 0; i < 512; i++) if (i < 64 || i >= 68) sum += footer[i];
  assert.equal(footer.readUInt32BE(64), ~sum >>> 0, 'footer checksum');
  assert.equal(vhd.subarray(512, 520).toString('ascii'), 'cxsparse');
  // Reassemble the disk from the BAT and compare with the raw export.
  const bat = vhd.subarray(1536, 1536 + 4 * Math.ceil(size / (2 << 20)));
  const rebuilt = Buffer.alloc(size);
  for (let b = 0; b < bat.length / 4; b++) {
    const sector = bat.readUInt32BE(b * 4);
    if (sector === 0xffffffff) continue;
    const start = sector * 512 + 512;
    vhd.copy(rebuilt, b * (2 << 20), start, start + Math.min(2 << 20, size - b * (2 << 20)));
  }
  assert.ok(rebuilt.equals(raw), 'VHD blocks equal the raw disk');
  await vhdRes.task;
});

test('pool/xmldbdump and export_metadata', async (t) => {
  const sim = await simulator(t);
  const xapi = await connect(t, sim);
  await xapi.objectsFetched;
  const dump = (await bodyOf(await xapi.getResource('/pool/xmldbdump', { query: {} }))).toString('utf8');
  assert.match(dump, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<database><manifest>/);
  assert.ok(dump.includes('name__label="PROD-ubuntu14"'));
  const meta = await bodyOf(
    await xapi.getResource('/export_metadata/', { query: { ref: vmRef(sim, 'PROD-ubuntu14') } }),
  );
  const entries = await readTar(meta);
  assert.deepEqual(
    entries.map((e) => e.path),
    ['ova.xml'],
  );
  assert.equal(
    parseOva(entries[0].data.toString('utf8')).objects.find((o) => o.class === 'VM')!.snapshot.name_label,
    'PROD-ubuntu14',
  );
});

test('wrong password: SESSION_AUTHENTICATION_FAILED', async (t) => {
  const sim = await simulator(t);
  await assert.rejects(
    connect(t, { ...sim, password: 'wrong' }),
    (e: { code: string; params: string[] }) => e.code === 'SESSION_AUTHENTICATION_FAILED' && e.params[0] === 'root',
  );
});

test('https with a self-signed certificate', async (t) => {
  const sim = await simulator(t, { https: true });
  assert.match(sim.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  assert.match(sim.certificateFingerprint!, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  const xapi = await connect(t, sim);
  await xapi.objectsFetched;
  assert.ok((await xapi.call<string[]>('VM.get_all')).length > 10);
});

test('HOST_IS_SLAVE on the member port redirects xen-api to the master', async (t) => {
  const sim = await simulator(t, { slavePort: true });
  assert.ok(sim.slaveUrl);
  const xapi = await connect(t, { ...sim, url: sim.slaveUrl! });
  await xapi.objectsFetched;
  assert.ok((await xapi.call<string[]>('VM.get_all')).length > 10);
  // Downloads asked from the member are redirected to the master.
  const res = await fetch(`${sim.slaveUrl}/export_metadata?uuid=x`, { redirect: 'manual' });
  assert.equal(res.status, 302);
  assert.equal(res.headers.get('location'), `${sim.url}/export_metadata?uuid=x`);
});
