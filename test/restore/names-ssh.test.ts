// Restore arguments are hostile input too (test/host/hostile-names.ts): every --name reaches
// xe unchanged and runs nothing, a name xe cannot carry (a line break) is refused before any
// change; the same restore over the ssh transport (a real OpenSSH sshd on 127.0.0.1); and a
// pool database dump is never restored, only its manual step is shown.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Simulator } from '../sim/index';
import { hostileNames } from '../host/hostile-names';
import { ensureBundle, runCli, sshTransport, startPool, tempDir, workspace, type Transport } from '../runner/helpers';
import { backUp, restoreReport, vdiHash, vmCount, vmDisks, vmsNamed } from './helpers';

let sim: Simulator;
let ssh: Transport;
before(async () => {
  ensureBundle();
  sim = await startPool({ name: 'restore-names', vms: [{ name: 'app 01', disks: [{ size: '2MiB', used: 1 }] }] });
  ssh = await sshTransport(sim);
});
after(async () => {
  await ssh.stop();
  await sim.close();
});

function original(): { size: number; sha256: string }[] {
  return vmDisks(sim, vmsNamed(sim, 'app 01')[0]!).map((vdi) => vdiHash(sim, vdi));
}

test('hostile --name values reach the new VM unchanged and execute nothing; line breaks are refused', async () => {
  const ws = workspace();
  const folder = await backUp(sim, ws, ['vm-export=app 01'], 'app 01');
  const marker = join(tempDir('vmbackup-marker-'), 'pwned');
  for (const name of hostileNames(marker)) {
    const count = vmCount(sim);
    const result = await runCli(sim, ['restore', folder, `--name=${name}`, '--json']);
    if (/[\n\r]/.test(name)) {
      assert.equal(result.code, 2, JSON.stringify(name));
      assert.match(result.stderr, /contains a line break .* cannot be restored under this name/);
      assert.equal(vmCount(sim), count, 'nothing imported');
      continue;
    }
    assert.equal(result.code, 0, `${JSON.stringify(name)}\n${result.stdout}${result.stderr}`);
    const [made] = vmsNamed(sim, name);
    assert.ok(made, `a VM named exactly ${JSON.stringify(name)}`);
    assert.equal(restoreReport(result.stdout).newName, name);
  }
  assert.equal(existsSync(marker), false, 'no name ran a command');
});

test('ssh: a vm-export backup restored over the ssh transport has identical disk bytes', async () => {
  const ws = workspace();
  const folder = await backUp(sim, ws, ['compress=zstd', 'vm-export=app 01'], 'app 01');
  const result = await runCli(sim, [...ssh.args, 'restore', folder, '--name', 'app 01 (ssh)', '--json']);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /"type":"run-start","mode":"restore","host":"ssh /);
  const [restored] = vmsNamed(sim, 'app 01 (ssh)');
  assert.ok(restored);
  assert.deepEqual(
    vmDisks(sim, restored).map((vdi) => vdiHash(sim, vdi)),
    original(),
  );
});

test('a pool database dump is never restored: the manual xe pool-restore-database step, exit 1', async () => {
  const dir = join(tempDir(), 'METADATA_xs1');
  mkdirSync(dir);
  const dump = join(dir, 'pool_db_20260101-010101.dump');
  writeFileSync(dump, 'dump');
  const count = vmCount(sim);
  for (const target of [dump, dir]) {
    const result = await runCli(sim, ['restore', target, '--json']);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.ok(result.stdout.includes(`xe pool-restore-database file-name=${dump}`), result.stdout);
    assert.match(result.stdout, /Nothing was changed/);
    const report = restoreReport(result.stdout);
    assert.equal(report.kind, 'pool-db');
    assert.equal(report.outcome, 'warning');
  }
  assert.equal(vmCount(sim), count);
});
