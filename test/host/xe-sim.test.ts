// `xe` through each host against the XenServer simulator, with the hostile-name fixture:
// locally (pool-host style through XE_EXTRA_ARGS, and off-host with -s/-pwf), and over ssh
// where the login's ~/.xe points the simulator's xe at the simulator (test/harness/sshd.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalHost } from '../../runner/src/host/local';
import { createSshHost } from '../../runner/src/host/ssh';
import type { Host } from '../../runner/src/host/types';
import { startSimulator, type Simulator } from '../sim/index';
import { startSshd, type Sshd } from '../harness/sshd';
import { CANARY_PATH, readFixture } from '../sim/fixture';

const fixturePath = join(import.meta.dirname, '..', 'sim', 'fixtures', 'hostile.json');
const fixtureNames: string[] = readFixture(fixturePath).vms!.map((vm) => vm.name);
// The fixture's own injection attempts create this file if any layer runs a shell on a name.
const INJECTION_MARKER = CANARY_PATH;

let sim: Simulator;
let sshd: Sshd;
let scratch: string;
const hosts: Record<string, Host> = {};

before(async () => {
  rmSync(INJECTION_MARKER, { force: true });
  sim = await startSimulator({ fixture: fixturePath });
  sshd = await startSshd();
  writeFileSync(join(sshd.home, '.xe'), sim.xeConfigFile(), { mode: 0o600 });
  scratch = mkdtempSync(join(tmpdir(), 'vmbackup-xe-sim-'));
  const local = createLocalHost({ xePath: sim.xePath });
  const env = sim.xeEnv();
  // Pool-host style: xe finds its server without connection arguments (here: XE_EXTRA_ARGS).
  hosts.local = { ...local, xe: (args, options) => local.xe(args, { ...options, env: { ...env, ...options?.env } }) };
  const port = Number(new URL(sim.url).port);
  hosts['off-host'] = createLocalHost({
    xePath: sim.xePath,
    xeConnection: { server: '127.0.0.1', port, user: 'root', password: sim.password, noSsl: true },
  });
  hosts.ssh = await createSshHost(sshd.hostOptions);
});

after(async () => {
  for (const host of Object.values(hosts)) await host.close();
  await sshd.stop();
  await sim.close();
  rmSync(scratch, { recursive: true, force: true });
});

for (const kind of ['local', 'off-host', 'ssh']) {
  describe(`xe through the ${kind} host`, () => {
    test('vm-list finds every hostile name exactly, and nothing is executed', async () => {
      const host = hosts[kind]!;
      const distinct = [...new Set(fixtureNames)];
      const results = await Promise.all(
        distinct.map((name) => host.xe(['vm-list', `name-label=${name}`, 'params=uuid', '--minimal'])),
      );
      const firstUuids = distinct.map((name, i) => {
        const result = results[i]!;
        assert.equal(result.exitCode, 0, `${JSON.stringify(name)}: ${result.stderr}`);
        const uuids = result.stdout.trim().split(',').filter(Boolean);
        // xe sends its arguments as lines (newcli.ml): a name holding "\n" cannot be selected by
        // name, exactly as on a real host (the runner refuses such names before any xe call).
        const expected = name.includes('\n') ? 0 : fixtureNames.filter((candidate) => candidate === name).length;
        assert.equal(uuids.length, expected, `${JSON.stringify(name)} -> ${result.stdout}`);
        return uuids[0];
      });
      const found = distinct.filter((_, i) => firstUuids[i] !== undefined);
      const labels = await Promise.all(
        found.map((name) =>
          host.xe(['vm-param-get', `uuid=${firstUuids[distinct.indexOf(name)]}`, 'param-name=name-label']),
        ),
      );
      assert.deepEqual(
        labels.map((label) => label.stdout),
        found.map((name) => `${name}\n`),
      );
      assert.equal(existsSync(INJECTION_MARKER), false, 'a VM name was executed');
    });

    test('xe errors come back as exit code and stderr', async () => {
      const result = await hosts[kind]!.xe([
        'vm-param-get',
        'uuid=00000000-0000-0000-0000-000000000000',
        'param-name=name-label',
      ]);
      assert.notEqual(result.exitCode, 0);
      assert.notEqual(result.stderr, '');
    });

    test('vm-export to stdout lands in a new file on the target', async () => {
      const host = hosts[kind]!;
      const name = "single'quote";
      const uuid = (await host.xe(['vm-list', `name-label=${name}`, 'params=uuid', '--minimal'])).stdout.trim();
      const file = join(scratch, `${kind}-${name}.xva`);
      const result = await host.xe(['vm-export', `uuid=${uuid}`, 'filename=', 'metadata=true'], { stdoutFile: file });
      assert.equal(result.exitCode, 0, result.stderr);
      const bytes = readFileSync(file);
      assert.ok(bytes.length > 512);
      assert.equal(bytes.subarray(0, 7).toString('latin1'), 'ova.xml'); // a tar whose first member is ova.xml
    });
  });
}

test('off-host xe with a wrong password is refused by the pool', async () => {
  const port = Number(new URL(sim.url).port);
  const host = createLocalHost({
    xePath: sim.xePath,
    xeConnection: { server: '127.0.0.1', port, user: 'root', password: 'wrong', noSsl: true },
  });
  try {
    const result = await host.xe(['vm-list', '--minimal']);
    assert.notEqual(result.exitCode, 0);
    assert.match(result.stderr, /authentication/i);
  } finally {
    await host.close();
  }
});
