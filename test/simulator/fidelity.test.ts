// Behaviours read from xapi's own source (xapi-project/xen-api, paths ocaml/...), each test
// naming the file and function it follows: how xe sends its arguments, multi-host pools with a
// local SR per host (redirected downloads, a certificate per host), VBD.device before the first
// start, pool-dump-database's URL, xe and TLS on 127.0.0.1, metadata export with snapshots,
// unknown filter fields, the output file opened only after HTTP 200, the CLI task wait.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Fixture } from '../sim/index';
import { simulator, vmRef, vmUuid, xe } from './helpers';
import { readTar } from './xva';

/** Two hosts, each with its local SR; `far` has its disk on the member's SR. */
const POOL: Fixture = {
  name: 'two-hosts',
  hosts: [{ name: 'xs1', address: '127.0.0.1' }, { name: 'xs2', address: '127.0.0.2' }],
  srs: [
    { name: 'Local storage', host: 'xs1', default: true },
    { name: 'Local storage', alias: 'local-xs2', host: 'xs2' },
  ],
  vms: [
    { name: 'near', power: 'Halted', disks: [{ size: '2MiB', used: 1 }] },
    { name: 'far', power: 'Halted', host: 'xs2', disks: [{ size: '2MiB', used: 1, sr: 'local-xs2' }] },
    { name: 'fresh', power: 'Halted', neverStarted: true, disks: [{ size: '1MiB' }], cd: true },
  ],
};

async function scratch(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'xe-fidelity-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function diskOf(sim: Awaited<ReturnType<typeof simulator>>, vm: string): string {
  const vbd = (sim.state.get('VM', vmRef(sim, vm))!.VBDs as string[]).map((r) => sim.state.get('VBD', r)!).find((v) => v.type === 'Disk')!;
  return String(sim.state.get('VDI', vbd.VDI as string)!.uuid);
}

test('newcli.ml main joins the arguments with "\\n"; xapi_cli.ml parse_session_and_args splits lines and zap_cr strips "\\r"', async (t) => {
  const sim = await simulator(t, { fixture: POOL });
  // A trailing \r is removed by the server: the name matches exactly.
  let r = await xe(sim, ['vm-list', 'name-label=near\r', 'params=uuid', '--minimal']);
  assert.deepEqual([r.code, r.stdout], [0, `${vmUuid(sim, 'near')}\n`]);
  // A value holding a newline arrives as two lines: `name-label=ne` and a parameter `ar`.
  sim.addVm({ name: 'ne\nar', power: 'Halted', disks: [{ size: '1MiB' }] });
  r = await xe(sim, ['vm-list', 'name-label=ne\nar', 'params=uuid', '--minimal']);
  assert.deepEqual([r.code, r.stdout, r.stderr], [0, '\n', ''], 'name-label=ne matches nothing, so `ar` is never looked at');
  // With records left, the second line is a filter on a field that does not exist.
  r = await xe(sim, ['vm-list', 'name-label=near\nx', 'params=uuid']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Unknown field 'x'/);
});

test("cli_frontend.ml parse_params_2: a word without '=' is a parameter with an empty value (cli_operations.ml get_field_type: Unknown field)", async (t) => {
  const sim = await simulator(t, { fixture: POOL });
  const r = await xe(sim, ['vm-list', 'oops']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Failure: Unknown field 'oops'/);
  const map = await xe(sim, ['vm-list', 'other-config-base_template_name=Other install media', 'name-label=near', 'params=uuid', '--minimal']);
  assert.deepEqual([map.code, map.stdout], [0, `${vmUuid(sim, 'near')}\n`], 'the old map-name-key form still filters');
  const unknownMap = await xe(sim, ['vm-list', 'nosuch:key=1']);
  assert.equal(unknownMap.code, 1);
  assert.match(unknownMap.stderr, /Unknown field 'nosuch:key'/);
});

test('export.ml handler / export_raw_vdi.ml export_raw: a disk on a member\'s local SR is redirected (302) to https://<member address>, and xe follows it', async (t) => {
  const sim = await simulator(t, { fixture: POOL });
  const dir = await scratch(t);
  const far = vmRef(sim, 'far');
  const xapiSession = (await (await fetch(`${sim.url}/jsonrpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'session.login_with_password', params: ['root', sim.password] }),
  })).json()) as { result: string };
  const res = await fetch(`${sim.url}/export?session_id=${xapiSession.result}&ref=${far}`, { redirect: 'manual' });
  assert.equal(res.status, 302);
  assert.equal(res.headers.get('location'), `https://127.0.0.2/export?session_id=${xapiSession.result}&ref=${far}`);
  const near = await fetch(`${sim.url}/export?session_id=${xapiSession.result}&ref=${vmRef(sim, 'near')}`, { redirect: 'manual' });
  assert.equal(near.status, 200, 'a disk the master sees is served by the master');
  await near.arrayBuffer();

  const file = join(dir, 'far.xva');
  let r = await xe(sim, ['vm-export', `vm=${vmUuid(sim, 'far')}`, `filename=${file}`]);
  assert.deepEqual([r.code, r.stdout, r.stderr], [0, 'Export succeeded\n', '']);
  const entries = await readTar(await readFile(file));
  assert.ok(entries.some((e) => e.path === 'ova.xml'));
  const raw = join(dir, 'far.raw');
  r = await xe(sim, ['vdi-export', `uuid=${diskOf(sim, 'far')}`, `filename=${raw}`, 'format=raw']);
  assert.deepEqual([r.code, r.stderr], [0, '']);
  assert.equal((await readFile(raw)).length, 2 * 1024 * 1024);
});

test('cli_operations.ml download_file: when xe cannot reach the member it prints "Export failed, unknown error", exits 0 and writes no file', async (t) => {
  const sim = await simulator(t, { fixture: POOL });
  const dir = await scratch(t);
  sim.faults.set({ unreachableHosts: ['xs2'] });
  const file = join(dir, 'far.xva');
  const r = await xe(sim, ['vm-export', `vm=${vmUuid(sim, 'far')}`, `filename=${file}`]);
  assert.deepEqual([r.code, r.stdout, r.stderr], [0, '', 'Export failed, unknown error\n']);
  assert.equal(existsSync(file), false);
  // cli_util.ml track_http_operation (vdi-export): a client-side failure with no task error.
  const raw = join(dir, 'far.raw');
  const v = await xe(sim, ['vdi-export', `uuid=${diskOf(sim, 'far')}`, `filename=${raw}`]);
  assert.deepEqual([v.code, v.stderr], [1, 'Error code: CLIENT_ERROR\nError parameters: \n']);
  assert.equal(existsSync(raw), false);
  // Without member endpoints at all (nobody listens there) it is the same.
  const alone = await simulator(t, { fixture: POOL, members: false });
  const a = await xe(alone, ['vm-export', `vm=${vmUuid(alone, 'far')}`, `filename=${file}`]);
  assert.deepEqual([a.code, a.stderr], [0, 'Export failed, unknown error\n']);
  assert.equal(existsSync(file), false);
});

test('each host has its own self-signed certificate (xapi-ssl.pem per host); members answer HOST_IS_SLAVE, roles follow pool.master', async (t) => {
  const sim = await simulator(t, { fixture: POOL, https: true });
  const { xs1, xs2 } = sim.hostFingerprints;
  assert.ok(xs1 && xs2);
  assert.notEqual(xs1, xs2);
  assert.equal(sim.certificateFingerprint, xs1);
  const presented = (url: string) =>
    new Promise<string>((resolve, reject) => {
      const u = new URL(url);
      const socket = tlsConnect({ host: u.hostname, port: Number(u.port), rejectUnauthorized: false }, () => {
        resolve(socket.getPeerCertificate().fingerprint256);
        socket.end();
      });
      socket.on('error', reject);
    });
  assert.equal(await presented(sim.hostUrls.xs2!), xs2);
  assert.equal(await presented(sim.hostUrls.xs1!), xs1);
  const login = async (url: string) =>
    (await (await fetch(`${url.replace('https:', 'http:')}/jsonrpc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'session.login_with_password', params: ['root', sim.password] }),
    })).json()) as { result?: string; error?: { message: string; data: string[] } };
  const slaveError = async (url: string) => {
    const e = (await login(url)).error;
    return e && [e.message, ...e.data];
  };
  assert.deepEqual(await slaveError(sim.hostUrls.xs2!), ['HOST_IS_SLAVE', '127.0.0.1']);
  sim.designateMaster('xs2');
  assert.deepEqual(await slaveError(sim.hostUrls.xs1!), ['HOST_IS_SLAVE', '127.0.0.2']);
  assert.ok((await login(sim.hostUrls.xs2!)).result);
});

test('xapi_vbd.ml: VBD.device is "" until the VBD is attached (a never-started VM); starting it names the device', async (t) => {
  const sim = await simulator(t, { fixture: POOL });
  const devices = () => (sim.state.get('VM', vmRef(sim, 'fresh'))!.VBDs as string[]).map((r) => sim.state.get('VBD', r)!.device);
  assert.deepEqual(devices(), ['', '']);
  const r = await xe(sim, ['vbd-list', `vm-uuid=${vmUuid(sim, 'fresh')}`, 'params=device', '--minimal']);
  assert.deepEqual([r.code, r.stdout], [0, ',\n']);
  const snap = (await xe(sim, ['vm-snapshot', 'vm=fresh', 'new-name-label=s'])).stdout.trim();
  const snapVbds = sim.state.get('VM', sim.state.refByUuid('VM', snap))!.VBDs as string[];
  assert.deepEqual(snapVbds.map((v) => sim.state.get('VBD', v)!.device), ['', ''], 'xapi_vm_clone.ml copies the VBD as it is');
  const start = await fetch(`${sim.url}/jsonrpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'session.login_with_password', params: ['root', sim.password] }),
  });
  const session = ((await start.json()) as { result: string }).result;
  await fetch(`${sim.url}/jsonrpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'VM.start', params: [session, vmRef(sim, 'fresh'), false, false] }),
  });
  assert.deepEqual(devices(), ['xvda', 'xvdd']);
});

test('cli_operations.ml pool_dump_db downloads from https://<master host address>/pool/xmldbdump, whatever server xe used', async (t) => {
  const sim = await simulator(t, { fixture: POOL });
  const dir = await scratch(t);
  const ok = await xe(sim, ['pool-dump-database', `file-name=${join(dir, 'db.xml')}`]);
  assert.deepEqual([ok.code, ok.stderr], [0, '']);
  assert.match(await readFile(join(dir, 'db.xml'), 'utf8'), /<database/);
  // The master's address as the database has it, where nothing listens: the dump fails.
  sim.state.update('host', sim.pool.master, { address: '127.0.0.9' });
  const r = await xe(sim, ['pool-dump-database', `file-name=${join(dir, 'db2.xml')}`]);
  assert.deepEqual([r.code, r.stderr], [1, 'Error code: CLIENT_ERROR\nError parameters: \n']);
  assert.equal(existsSync(join(dir, 'db2.xml')), false);
});

test('newcli.ml with_open_tcp: "never use SSL on-host": xe -s 127.0.0.1 talks plain HTTP even without --nossl', async (t) => {
  const sim = await simulator(t, { fixture: POOL });
  const port = new URL(sim.url).port;
  const env = { XE_EXTRA_ARGS: `port=${port},username=root,password=${sim.password}` };
  const local = await xe(sim, ['-s', '127.0.0.1', 'host-list', 'params=name-label', '--minimal'], env);
  assert.deepEqual([local.code, local.stdout], [0, 'xs1,xs2\n']);
  // Any other name for the same listener means TLS, which a plain endpoint does not speak.
  const named = await xe(sim, ['-s', 'localhost', 'host-list'], env);
  assert.equal(named.code, 1);
});

test('export.ml metadata_handler: export_snapshots defaults to true, so /export_metadata carries the VM\'s snapshots; xe sends include-snapshots (false)', async (t) => {
  const sim = await simulator(t, { fixture: { ...POOL, vms: [{ name: 'near', power: 'Running', disks: [{ size: '1MiB' }], snapshots: ['before'] }] } });
  const session = ((await (await fetch(`${sim.url}/jsonrpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'session.login_with_password', params: ['root', sim.password] }),
  })).json()) as { result: string }).result;
  const ova = async (query: string) => {
    const res = await fetch(`${sim.url}/export_metadata?session_id=${session}&ref=${vmRef(sim, 'near')}${query}`);
    assert.equal(res.status, 200);
    const entries = await readTar(Buffer.from(await res.arrayBuffer()));
    return entries.find((e) => e.path === 'ova.xml')!.data.toString('utf8');
  };
  const withSnapshots = await ova('');
  assert.match(withSnapshots, /<name>name_label<\/name><value>before<\/value>/);
  assert.match(withSnapshots, /<name>is_a_snapshot<\/name><value><boolean>1<\/boolean>/);
  assert.match(withSnapshots, /<name>power_state<\/name><value>Running<\/value>/, 'preserve_power_state:true for metadata');
  assert.doesNotMatch(await ova('&export_snapshots=false'), /<value>before<\/value>/);
  const dir = await scratch(t);
  const r = await xe(sim, ['vm-export', 'vm=near', 'metadata=true', `filename=${join(dir, 'm.xva')}`]);
  assert.equal(r.code, 0, r.stderr);
  const viaXe = (await readTar(await readFile(join(dir, 'm.xva')))).find((e) => e.path === 'ova.xml')!.data.toString('utf8');
  assert.doesNotMatch(viaXe, /<value>before<\/value>/);
});

test('newcli.ml HttpGet opens the output file only after HTTP 200: an export refused up front leaves no file', async (t) => {
  const sim = await simulator(t, { fixture: { ...POOL, vms: [{ name: 'up', power: 'Running', disks: [{ size: '1MiB' }] }] } });
  const dir = await scratch(t);
  const file = join(dir, 'up.xva');
  const r = await xe(sim, ['vm-export', 'vm=up', `filename=${file}`]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^You attempted an operation on a VM that was not in an appropriate power state/);
  assert.equal(existsSync(file), false);
});

test('the CLI task wait sees the handler finish the task at once (no lost wake-up): with the fallback poll at 10 minutes, metadata export and pool-dump-database still end', async (t) => {
  // cli_operations.ml wait_for_task_complete: the simulator waits on changes, not on a 1 s poll;
  // a wake-up lost between reading the status and waiting would hang here until the test times out.
  const sim = await simulator(t, { fixture: POOL, cliTaskPollMs: 600_000 });
  const dir = await scratch(t);
  for (let i = 0; i < 5; i++) {
    const m = await xe(sim, ['vm-export', 'vm=near', 'metadata=true', `filename=${join(dir, `m${i}.xva`)}`]);
    assert.deepEqual([m.code, m.stdout], [0, 'Export succeeded\n']);
    const d = await xe(sim, ['pool-dump-database', `file-name=${join(dir, `db${i}.xml`)}`]);
    assert.equal(d.code, 0, d.stderr);
  }
});
