// An agentless restore into a pool member's local SR: xapi answers the PUT with a 302 to the host
// that sees the SR before it reads the body (ocaml/xapi/import.ml handler and
// import_raw_vdi.ml import: check_sr_availability / find_host_for_sr, the simulator's
// http/server.ts importRedirect). The upload is made again to that member, checked against THAT
// member's certificate pin from the trust file (pool/tls.ts); the restored disk holds the bytes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSimulator, type Fixture, type Simulator } from '../sim/index';
import { cliPath, ensureBundle, tempDir, workspace, type CliResult } from '../runner/helpers';
import { pathWithoutXe, runXapiCli } from '../runner/xapi-helpers';
import { vdiHash, vmDisks, vmsNamed } from './helpers';

const FIXTURE: Fixture = {
  name: 'restore-xapi-redirect',
  hosts: [
    { name: 'xs1', address: '127.0.0.1' },
    { name: 'xs2', address: '127.0.0.2' },
  ],
  srs: [
    { name: 'Local storage', host: 'xs1', default: true },
    { name: 'Local storage xs2', alias: 'local-xs2', host: 'xs2' },
  ],
  vms: [{ name: 'far', power: 'Halted', host: 'xs2', disks: [{ size: '2MiB', used: 1, sr: 'local-xs2' }] }],
};

let sim: Simulator;
let trust: string;
before(async () => {
  ensureBundle();
  sim = await startSimulator({ fixture: FIXTURE, https: true });
  trust = join(tempDir('vmbackup-restore-trust-'), 'pool.trust');
  writeFileSync(trust, `127.0.0.1 ${sim.hostFingerprints.xs1}\n127.0.0.2 ${sim.hostFingerprints.xs2}\n`);
});
after(async () => sim.close());

function restoreXapi(args: string[], trustFile = trust): Promise<CliResult> {
  const child = spawn(
    process.execPath,
    [cliPath, ...args, '--transport', 'xapi', '--xapi', sim.url, '--xapi-trust-file', trustFile],
    {
      env: { ...process.env, PATH: pathWithoutXe(), VMBACKUP_PASSWORD: sim.password },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

const srOf = (vdi: string) => String(sim.state.get('SR', String(sim.state.get('VDI', vdi)!.SR))!.name_label);

for (const kind of ['vm-export', 'vdi-export'] as const) {
  test(`${kind} restored into the member's local SR: the redirected upload lands there, same bytes`, async () => {
    const ws = workspace();
    const backup = await runXapiCli(sim, ['--xapi-trust-file', trust, ws.writeConfig([`${kind}=far`])]);
    assert.equal(backup.code, 0, backup.stdout + backup.stderr);
    const name = `far-${kind}`;
    const folder = join(ws.backupDir, 'far');
    const result = await restoreXapi(['restore', folder, '--name', name, '--sr', 'Local storage xs2']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const [restored] = vmsNamed(sim, name);
    assert.ok(restored, `a VM named ${name}`);
    const [disk] = vmDisks(sim, restored);
    assert.equal(srOf(disk!), 'Local storage xs2');
    assert.deepEqual(vdiHash(sim, disk!), vdiHash(sim, vmDisks(sim, vmsNamed(sim, 'far')[0]!)[0]!));
  });
}

test("the member's certificate does not match its pin: the redirected upload is refused, nothing left", async () => {
  const ws = workspace();
  const backup = await runXapiCli(sim, ['--xapi-trust-file', trust, ws.writeConfig(['vdi-export=far'])]);
  assert.equal(backup.code, 0, backup.stdout + backup.stderr);
  const wrongMember = join(tempDir('vmbackup-restore-trust-'), 'wrong-member.trust');
  writeFileSync(wrongMember, `127.0.0.1 ${sim.hostFingerprints.xs1}\n127.0.0.2 ${sim.hostFingerprints.xs1}\n`);
  const vdis = sim.state.entries('VDI').length;
  const args = ['restore', join(ws.backupDir, 'far'), '--name', 'far-wrong-pin', '--sr', 'Local storage xs2'];
  const result = await restoreXapi(args, wrongMember);
  assert.equal(result.code, 2, result.stdout + result.stderr);
  assert.match(result.stdout, /ERROR xe vdi-import [^\n]*failed: [^\n]*127\.0\.0\.2/);
  assert.deepEqual(vmsNamed(sim, 'far-wrong-pin'), []);
  assert.equal(sim.state.entries('VDI').length, vdis, 'the made VDI is removed');
});
