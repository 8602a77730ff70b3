// What a restore needs of the simulator's disks: imported bytes are kept and read back exactly
// (PUT /import of an XVA, PUT /import_raw_vdi raw and vhd), new VDIs from VDI.create /
// xe vdi-create, and xapi's errors for bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { bodyOf, connect, FIXTURES, simulator, vmRef, xe } from './helpers';
import type { FullXapi } from './helpers';
import type { Simulator } from '../sim/index';
import { ZERO_CHUNK } from '../sim/http/disk';

interface PutXapi extends FullXapi {
  putResource(body: unknown, path: string, options: { query: Record<string, string> }): Promise<unknown>;
}

const DEMO = join(FIXTURES, 'demo.json');

async function rawOf(xapi: FullXapi, vdi: string, format = 'raw'): Promise<Buffer> {
  const res = await xapi.getResource('/export_raw_vdi/', { query: { vdi, format } });
  const body = await bodyOf(res);
  await res.task;
  return body;
}

function diskVdis(sim: Simulator, vm: string): string[] {
  return (sim.state.get('VM', vm)!.VBDs as string[])
    .map((r) => sim.state.get('VBD', r)!)
    .filter((r) => r.type === 'Disk')
    .sort((a, b) => Number(a.userdevice) - Number(b.userdevice))
    .map((r) => String(r.VDI));
}

function put(xapi: PutXapi, body: Buffer, path: string, query: Record<string, string>): Promise<unknown> {
  return xapi.putResource(Object.assign(Readable.from([body]), { length: body.length }), path, { query });
}

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sim-restore-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

// import.ml + stream_vdi.ml: what an XVA import received is what every export gives back.
test('imported XVA disk bytes are kept and exported again exactly (XVA, raw, vhd); no zero chunk held', async (t) => {
  const sim = await simulator(t, { fixture: DEMO });
  const xapi = (await connect(t, sim)) as PutXapi;
  const source = vmRef(sim, 'PROD-db01');
  await xapi.call('VM.hard_shutdown', source); // a running VM cannot be exported
  const sourceRaw = await Promise.all(diskVdis(sim, source).map((v) => rawOf(xapi, v)));
  assert.ok(
    sourceRaw.every((b) => b.some((x) => x !== 0)),
    'the source disks hold data',
  );

  const xva = await bodyOf(await xapi.getResource('/export/', { query: { ref: source } }));
  const [first] = (await put(xapi, xva, '/import/', {})) as string[];
  const firstVdis = diskVdis(sim, first);
  const sourceUuids = diskVdis(sim, source).map((v) => sim.state.get('VDI', v)!.uuid);
  assert.ok(
    firstVdis.every((v) => !sourceUuids.includes(sim.state.get('VDI', v)!.uuid)),
    'VDIs get new uuids',
  );
  assert.deepEqual(await Promise.all(firstVdis.map((v) => rawOf(xapi, v))), sourceRaw, 'raw export of the import');
  for (const vdi of firstVdis) {
    for (const [, chunk] of sim.state.disks.get(vdi)!.chunks!) {
      assert.ok(!chunk.equals(ZERO_CHUNK.subarray(0, chunk.length)), 'no all-zero chunk is held in memory');
    }
  }

  // The imported VM exported as an XVA and imported again: the chunks survive a second round.
  const again = await bodyOf(await xapi.getResource('/export/', { query: { ref: first } }));
  const [second] = (await put(xapi, again, '/import/', {})) as string[];
  assert.deepEqual(await Promise.all(diskVdis(sim, second).map((v) => rawOf(xapi, v))), sourceRaw);

  // And as a VHD into a new VDI of the same size (import_raw_vdi.ml, vhd-tool serve_vhd_to_raw).
  const vhd = await rawOf(xapi, firstVdis[1], 'vhd');
  const size = Number(sim.state.get('VDI', firstVdis[1])!.virtual_size);
  const sr = String(sim.state.get('VDI', firstVdis[1])!.SR);
  const target = await xapi.call<string>('VDI.create', {
    name_label: 'from vhd',
    name_description: '',
    SR: sr,
    virtual_size: size,
    type: 'user',
    sharable: false,
    read_only: false,
    other_config: {},
    xenstore_data: {},
    sm_config: {},
    tags: [],
  });
  assert.equal(await put(xapi, vhd, '/import_raw_vdi/', { vdi: target, format: 'vhd' }), target);
  assert.deepEqual(await rawOf(xapi, target), sourceRaw[1]);
});

// cli_operations.ml vdi_create, record_util.ml bytes_of_string, xapi_vdi.ml create
test('xe vdi-create and VDI.create: a new all-zero VDI, sizes with units, errors', async (t) => {
  const sim = await simulator(t, { fixture: DEMO });
  const xapi = await connect(t, sim);
  const [sr, srRec] = sim.state.entries('SR').find(([, r]) => r.content_type !== 'iso')!;
  for (const [text, bytes] of [
    ['4MiB', 4 * 2 ** 20],
    ['4194304', 4 * 2 ** 20],
    ['2 m', 2 * 2 ** 20],
    ['1kb', 1024],
    ['3bytes', 3],
  ] as const) {
    const r = await xe(sim, [
      'vdi-create',
      `sr-uuid=${srRec.uuid}`,
      'name-label=restored disk',
      `virtual-size=${text}`,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^[0-9a-f-]{36}\n$/);
    const vdi = sim.state.refByUuid('VDI', r.stdout.trim());
    const rec = sim.state.get('VDI', vdi)!;
    assert.deepEqual([rec.virtual_size, rec.type, rec.name_label, rec.SR], [bytes, 'user', 'restored disk', sr], text);
    assert.ok((sim.state.get('SR', sr)!.VDIs as string[]).includes(vdi));
    if (bytes >= 2 ** 20) assert.deepEqual(await rawOf(xapi, vdi), Buffer.alloc(bytes), 'a new VDI reads as zeros');
  }
  const bad = await xe(sim, ['vdi-create', `sr-uuid=${srRec.uuid}`, 'name-label=x', 'virtual-size=1.5GiB']);
  assert.deepEqual(
    [bad.code, bad.stderr],
    [
      1,
      "Error: Failed to parse field 'virtual-size': expecting an integer (possibly with suffix KiB, MiB, GiB, " +
        "TiB), got '1.5GiB'\n",
    ],
  );
  const missing = await xe(sim, ['vdi-create', `sr-uuid=${srRec.uuid}`, 'name-label=x']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /Required parameter not found: virtual-size/);
  await assert.rejects(
    xapi.call('VDI.create', { name_label: 'cbt', SR: sr, virtual_size: 1024, type: 'cbt_metadata' }),
    (e: { code: string }) => e.code === 'VDI_INCOMPATIBLE_TYPE',
  );
});

// import_raw_vdi.ml localhost_handler, vhd_tool_wrapper.ml receive, vhd-tool impl.ml serve
test('xe vdi-import writes raw and vhd files into a VDI (import_raw_vdi.ml); errors as xapi', async (t) => {
  const sim = await simulator(t, { fixture: DEMO });
  const xapi = (await connect(t, sim)) as PutXapi;
  const dir = await tempDir(t);
  const [sourceVdi] = diskVdis(sim, vmRef(sim, 'PROD-web01'));
  const source = sim.state.get('VDI', sourceVdi)!;
  const srUuid = String(sim.state.get('SR', String(source.SR))!.uuid);
  const expected = await rawOf(xapi, sourceVdi);
  const create = async (size: number | string) => {
    const r = await xe(sim, ['vdi-create', `sr-uuid=${srUuid}`, 'name-label=restore', `virtual-size=${size}`]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
  };

  for (const format of ['raw', 'vhd']) {
    const file = join(dir, `disk.${format}`);
    const exported = await xe(sim, ['vdi-export', `uuid=${source.uuid}`, `filename=${file}`, `format=${format}`]);
    assert.equal(exported.code, 0, exported.stderr);
    const uuid = await create(Number(source.virtual_size));
    const r = await xe(sim, ['vdi-import', `uuid=${uuid}`, `filename=${file}`, `format=${format}`]);
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, '', ''], format);
    assert.deepEqual(await rawOf(xapi, sim.state.refByUuid('VDI', uuid)), expected, `${format}: same bytes`);
  }

  // Without format= the file is raw; a shorter file fills the start, the rest stays as it was (zero).
  const head = join(dir, 'head.raw');
  await writeFile(head, expected.subarray(0, 3 * 2 ** 20 + 5));
  const partial = await create(Number(source.virtual_size));
  assert.equal((await xe(sim, ['vdi-import', `uuid=${partial}`, `filename=${head}`])).code, 0);
  const got = await rawOf(xapi, sim.state.refByUuid('VDI', partial));
  assert.deepEqual(got.subarray(0, 3 * 2 ** 20 + 5), expected.subarray(0, 3 * 2 ** 20 + 5));
  assert.ok(got.subarray(3 * 2 ** 20 + 5).equals(Buffer.alloc(got.length - 3 * 2 ** 20 - 5)));

  // A raw file larger than the VDI: vhd-tool fails writing past the end → VDI_IO_ERROR.
  const small = await create('2MiB');
  const tooBig = await xe(sim, ['vdi-import', `uuid=${small}`, `filename=${join(dir, 'disk.raw')}`]);
  assert.deepEqual(
    [tooBig.code, tooBig.stderr],
    [1, 'Error code: VDI_IO_ERROR\nError parameters: Device I/O errors\n'],
  );
  // A damaged VHD (footer checksum) → VDI_IO_ERROR too.
  const vhd = await readFile(join(dir, 'disk.vhd'));
  vhd[70] ^= 0xff;
  await writeFile(join(dir, 'bad.vhd'), vhd);
  const damaged = await xe(sim, [
    'vdi-import',
    `uuid=${await create(Number(source.virtual_size))}`,
    `filename=${join(dir, 'bad.vhd')}`,
    'format=vhd',
  ]);
  assert.deepEqual(
    [damaged.code, damaged.stderr],
    [1, 'Error code: VDI_IO_ERROR\nError parameters: Device I/O errors\n'],
  );
  // An unknown format: INTERNAL_ERROR ["Unknown format qcow9"] (HTTP 404).
  const unknown = await xe(sim, ['vdi-import', `uuid=${small}`, `filename=${head}`, 'format=qcow9']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /message: Unknown format qcow9/);
  const missingFile = await xe(sim, ['vdi-import', `uuid=${small}`, `filename=${join(dir, 'nope')}`]);
  assert.deepEqual(
    [missingFile.code, missingFile.stderr],
    [1, `Operation failed. Error: Sys_error("${join(dir, 'nope')}: No such file or directory")\n`],
  );
  // Raw into an SR without a VDI: a new "Imported VDI" of exactly the body's length.
  const sr = String(source.SR);
  const made = (await put(xapi, expected, '/import_raw_vdi/', { sr_id: sr })) as string;
  assert.deepEqual(
    [sim.state.get('VDI', made)!.name_label, sim.state.get('VDI', made)!.virtual_size],
    ['Imported VDI', expected.length],
  );
  assert.deepEqual(await rawOf(xapi, made), expected);
  // Neither VDI nor SR: VDI_MISSING on the task and HTTP 400 (import_raw_vdi.ml fail_task_in_request).
  const task = await xapi.call<string>('task.create', 'import', '');
  const query = new URLSearchParams({ session_id: xapi.sessionId, task_id: task });
  const res = await fetch(`${sim.url}/import_raw_vdi?${query}`, { method: 'PUT', body: expected });
  assert.equal(res.status, 400);
  assert.deepEqual(await xapi.call('task.get_error_info', task), ['VDI_MISSING']);
});
