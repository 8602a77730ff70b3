// The xapi transport's downloads redirected to a pool member (export.ml / export_raw_vdi.ml:
// a 302 to the host that sees a local SR, `Uri.make ~scheme:"https" ~host:address`, no port):
// followed with THAT member's certificate pin from the trust file (pool/tls.ts, checked per
// connection); a wrong pin or an unreachable member fails the export with the xe path's
// VM-EXPORT-FAIL / VDI-EXPORT-FAIL message naming the member, no folder, no snapshot left.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSimulator, type Fixture, type Simulator } from '../sim/index';
import { twoHostPool } from '../sim/two-hosts';
import { ensureBundle, snapshotUuids, tempDir, workspace } from './helpers';
import { runXapiCli } from './xapi-helpers';

const FIXTURE: Fixture = twoHostPool('agentless-redirect', [
  { name: 'far', power: 'Halted', host: 'xs2', disks: [{ size: '2MiB', used: 1, sr: 'local-xs2' }] },
]);

let sim: Simulator;
let both: string;
let wrongMember: string;
before(async () => {
  ensureBundle();
  sim = await startSimulator({ fixture: FIXTURE, https: true });
  const dir = tempDir('vmbackup-agentless-trust-');
  both = join(dir, 'pool.trust');
  wrongMember = join(dir, 'wrong-member.trust');
  writeFileSync(both, `127.0.0.1 ${sim.hostFingerprints.xs1}\n127.0.0.2 ${sim.hostFingerprints.xs2}\n`);
  // The member listed with the master's fingerprint: its own certificate does not match.
  writeFileSync(wrongMember, `127.0.0.1 ${sim.hostFingerprints.xs1}\n127.0.0.2 ${sim.hostFingerprints.xs1}\n`);
});
after(async () => sim.close());

const lines = (stdout: string) =>
  stdout.split('\n').map((l) => l.replace(/^\d{4}-\d{2}-\d{2}-\(\d{2}:\d{2}:\d{2}\) - /, ''));

test("redirected to the member: vm-export and vdi-export succeed with the member's own pin", async () => {
  assert.notEqual(sim.hostFingerprints.xs1, sim.hostFingerprints.xs2, 'each host has its own certificate');
  for (const kind of ['vm-export', 'vdi-export']) {
    const ws = workspace();
    const result = await runXapiCli(sim, ['--xapi-trust-file', both, ws.writeConfig([`${kind}=far`])]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(readFileSync(ws.statusLog, 'utf8'), /,end,SUCCESS far,/);
    assert.match(result.stdout, /export file check: complete /);
  }
});

test('a member whose certificate does not match its pin: the export fails naming it, nothing left', async () => {
  const before = snapshotUuids(sim);
  for (const [kind, record] of [
    ['vm-export', 'VM-EXPORT-FAIL'],
    ['vdi-export', 'VDI-EXPORT-FAIL'],
  ] as const) {
    const ws = workspace();
    const result = await runXapiCli(sim, ['--xapi-trust-file', wrongMember, ws.writeConfig([`${kind}=far`])]);
    assert.equal(result.code, 2, result.stdout + result.stderr);
    const error = lines(result.stdout).find((l) => l.startsWith(`ERROR xe ${kind} exited`));
    assert.ok(error, result.stdout);
    assert.match(error, /the TLS certificate of pool host 127\.0\.0\.2 is not in /);
    assert.match(error, /host xs2 at https:\/\/127\.0\.0\.2\/ \(SR 'Local storage xs2'\)/);
    assert.match(readFileSync(ws.statusLog, 'utf8'), new RegExp(`,end,${record} far\\n`));
    assert.deepEqual(readdirSync(join(ws.backupDir, 'far')), [], 'the incomplete backup folder is removed');
    assert.doesNotMatch(result.stdout + result.stderr, /\n\s+at .*:\d+:\d+\)?\n/, 'no stack trace');
  }
  assert.deepEqual(snapshotUuids(sim), before, 'no snapshot left');
});

test("an unreachable member: the xe path's VM-EXPORT-FAIL / VDI-EXPORT-FAIL message, nothing left", async (t) => {
  sim.faults.set({ unreachableHosts: ['xs2'] });
  t.after(() => sim.faults.reset());
  const before = snapshotUuids(sim);
  for (const [kind, record] of [
    ['vm-export', 'VM-EXPORT-FAIL'],
    ['vdi-export', 'VDI-EXPORT-FAIL'],
  ] as const) {
    const ws = workspace();
    const result = await runXapiCli(sim, ['--xapi-trust-file', both, ws.writeConfig([`${kind}=far`])]);
    assert.equal(result.code, 2, result.stdout + result.stderr);
    const error = lines(result.stdout).find((l) => l.startsWith(`ERROR xe ${kind} exited`));
    assert.ok(error, result.stdout);
    assert.match(error, /host xs2 at https:\/\/127\.0\.0\.2\/ \(SR 'Local storage xs2'\)/);
    assert.match(error, /open that address \(port 443, or the port xe uses\)/);
    assert.doesNotMatch(result.stdout, /export file check failed/);
    assert.match(readFileSync(ws.statusLog, 'utf8'), new RegExp(`,end,${record} far\\n`));
    assert.deepEqual(readdirSync(join(ws.backupDir, 'far')), []);
  }
  assert.deepEqual(snapshotUuids(sim), before, 'no snapshot left');
});
