// Fixtures load into a consistent pool, hostile names survive untouched, bad fixtures fail with
// a message naming the problem, and the start command prints its URL first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { startSimulator } from '../sim/index';
import { FIXTURES, simulator, connect } from './helpers';
import { readFixture } from '../sim/fixture';

test('every shipped fixture loads into a consistent pool', async (t) => {
  for (const name of ['weekend', 'demo', 'hostile', 'large-5000']) {
    const sim = await simulator(t, { fixture: join(FIXTURES, `${name}.json`) });
    const { state } = sim;
    for (const [ref, vbd] of state.entries('VBD')) {
      assert.ok((state.get('VM', vbd.VM as string)!.VBDs as string[]).includes(ref), `${name}: VBD listed by its VM`);
      if (vbd.type === 'Disk')
        assert.ok(
          (state.get('VDI', vbd.VDI as string)!.VBDs as string[]).includes(ref),
          `${name}: VBD listed by its VDI`,
        );
    }
    for (const [ref, vdi] of state.entries('VDI'))
      assert.ok((state.get('SR', vdi.SR as string)!.VDIs as string[]).includes(ref), `${name}: VDI listed by its SR`);
    for (const [ref, vm] of state.entries('VM')) {
      if (vm.power_state === 'Running')
        assert.ok(
          (state.get('host', vm.resident_on as string)!.resident_VMs as string[]).includes(ref),
          `${name}: running VM resident on a host`,
        );
      for (const s of vm.snapshots as string[]) assert.equal(state.get('VM', s)!.snapshot_of, ref);
    }
    const pool = state.entries('pool')[0][1];
    assert.ok(state.has('host', pool.master as string), `${name}: pool master is a host`);
    assert.equal(
      state.entries('VM').filter(([, v]) => v.is_control_domain).length,
      state.count('host'),
      `${name}: one dom0 per host`,
    );
    await sim.close();
  }
});

test('weekend.json holds the README VMs; PROD.* selects the four of the weekend.cfg preview', async (t) => {
  const sim = await simulator(t);
  const names = sim.state
    .entries('VM')
    .filter(([, v]) => !v.is_a_template && !v.is_control_domain)
    .map(([, v]) => String(v.name_label));
  assert.deepEqual(
    names.filter((n) => /^PROD/.test(n)),
    ['PROD-ubuntu14', 'PROD-ubuntu12-benchmark', 'PROD-CentOS7-large-user-disks', 'PROD-WinSvr'],
  );
  assert.deepEqual(
    names.filter((n) => /^DEV-RH/.test(n)),
    ['DEV-RH6', 'DEV-RH7'],
  );
  for (const n of [
    'DEV mySql',
    'DEV-DestructiveTest',
    'my-vm-name',
    'my-second-vm',
    'my-third-vm',
    'DEV-web3',
    'WEB-frontend1',
  ])
    assert.ok(names.includes(n), n);
  assert.equal(names.filter((n) => n === 'DEV-duplicate').length, 2);
  assert.ok(!names.includes('DEV-mySql'), 'the README example name that does not exist');
});

test('hostile names reach xen-api byte for byte', async (t) => {
  const sim = await simulator(t, { fixture: join(FIXTURES, 'hostile.json') });
  const expected = readFixture(join(FIXTURES, 'hostile.json')).vms!.map((v) => v.name);
  for (const transport of ['json-rpc', 'xml-rpc']) {
    const xapi = await connect(t, sim, { transport });
    await xapi.objectsFetched;
    const vms =
      await xapi.call<Record<string, { name_label: string; is_control_domain: boolean }>>('VM.get_all_records');
    const got = Object.values(vms)
      .filter((v) => !v.is_control_domain)
      .map((v) => v.name_label);
    assert.deepEqual(got.sort(), [...expected].sort(), transport);
  }
});

test('large-5000.json: 5,000 VMs from generator rules', async (t) => {
  const sim = await simulator(t, { fixture: join(FIXTURES, 'large-5000.json') });
  const vms = sim.state.entries('VM').filter(([, v]) => !v.is_control_domain && !v.is_a_template);
  assert.equal(vms.length, 5000);
  assert.equal(vms.filter(([, v]) => String(v.name_label).startsWith('PROD-app-')).length, 2500);
  assert.ok(vms.some(([, v]) => v.name_label === 'TEST-vm-1000'));
  assert.equal(new Set(vms.map(([, v]) => v.uuid)).size, 5000, 'unique uuids');
});

test('fixtures are deterministic: same fixture, same uuids', async () => {
  const a = await startSimulator({ fixture: join(FIXTURES, 'demo.json') });
  const b = await startSimulator({ fixture: join(FIXTURES, 'demo.json') });
  try {
    assert.deepEqual(
      a.state.entries('VM').map(([, v]) => v.uuid),
      b.state.entries('VM').map(([, v]) => v.uuid),
    );
    assert.equal(a.addVm({ name: 'x' }), b.addVm({ name: 'x' }));
  } finally {
    await a.close();
    await b.close();
  }
});

test('bad fixtures fail with a message naming the problem', async () => {
  const cases: [unknown, RegExp][] = [
    [{ vms: [{ name: 'a', disks: [{ size: '10 parsecs' }] }] }, /VM "a"\.disks\[0\]\.size: invalid size "10 parsecs"/],
    [{ vms: [{ name: 'a', disks: [{ size: '1GiB', sr: 'nowhere' }] }] }, /VM "a"\.disks\[0\]\.sr: unknown "nowhere"/],
    [{ vms: [{ name: 'a', power: 'Sleeping' }] }, /VM "a": power must be one of Running, Halted, Suspended, Paused/],
    [{ vms: [{ name: 'a', host: 'ghost' }] }, /VM "a"\.host: unknown "ghost"/],
    [{ vms: [{ name: 'a', disks: [{ size: 1, used: 2 }] }] }, /used must be between 0 and 1/],
    [{ generate: [{ count: -1, name: 'x{n}' }] }, /generate\.count must be a non-negative integer/],
  ];
  for (const [fixture, message] of cases) {
    await assert.rejects(startSimulator({ fixture: fixture as never }), message);
  }
  await assert.rejects(startSimulator({ fixture: join(FIXTURES, 'missing.json') }), /fixture .*missing\.json: ENOENT/);
  await assert.rejects(startSimulator({ fixture: {}, host: '0.0.0.0' }), /must be a loopback address/);
});

test('cli.ts prints the URL on its first line and serves until SIGTERM', async () => {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(import.meta.dirname, '..', 'sim', 'cli.ts'),
      '--fixture',
      join(FIXTURES, 'demo.json'),
      '--port',
      '0',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! });
  const iterator = lines[Symbol.asyncIterator]();
  const url = (await iterator.next()).value as string;
  const xeArgs = (await iterator.next()).value as string;
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(xeArgs, `server=127.0.0.1,port=${new URL(url).port},username=root,nossl=true`, 'no password printed');
  const res = await fetch(`${url}/jsonrpc`, {
    method: 'POST',
    body: JSON.stringify({ id: 1, jsonrpc: '2.0', method: 'session.login_with_password', params: ['root', 'secret'] }),
  });
  assert.match(((await res.json()) as { result: string }).result, /^OpaqueRef:/);
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
  const bad = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, '..', 'sim', 'cli.ts'), '--port', 'x'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  bad.stderr!.on('data', (d) => (stderr += d));
  assert.equal(await new Promise((resolve) => bad.on('exit', resolve)), 2);
  assert.match(stderr, /--fixture is required/);
});
