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

test('ssh: a vdi-export (raw) backup restored over ssh: the disk-less VM file goes through SFTP', async () => {
  const ws = workspace();
  const folder = await backUp(sim, ws, ['vdi-export=app 01'], 'app 01');
  const result = await runCli(sim, [...ssh.args, 'restore', folder, '--name', 'app 01 (vdi, ssh)', '--json']);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const [restored] = vmsNamed(sim, 'app 01 (vdi, ssh)');
  assert.ok(restored);
  assert.deepEqual(
    vmDisks(sim, restored).map((vdi) => vdiHash(sim, vdi)),
    original().slice(0, 1),
  );
  const temporary = /filename=(\/tmp\/vmbackup-restore-[0-9a-f]+\.xva) metadata=true/.exec(result.stdout)?.[1];
  assert.ok(temporary, 'the metadata import names its temporary file');
  assert.equal(existsSync(temporary), false, 'the temporary file is removed (the sshd runs on this machine)');
});

test('a hostile backed-up VM name: health check over ssh under HEALTHCHECK_<name>_<time>, unchanged', async () => {
  // No '/' (a VM folder name cannot hold one): the shell would run `id` if it saw these words.
  const vm = 'it\'s "$(id)" `id` ;id';
  sim.addVm({ name: vm, power: 'Halted', disks: [{ size: '1MiB', used: 1 }] });
  const ws = workspace();
  // The selection is a Python regex: `it.s.*` matches this VM only.
  const folder = await backUp(sim, ws, ['vm-export=it.s.*'], vm);
  const names: string[] = [];
  const update = sim.state.update.bind(sim.state);
  sim.state.update = (cls, ref, patch) => {
    if (cls === 'VM' && typeof patch.name_label === 'string') names.push(patch.name_label);
    update(cls, ref, patch);
  };
  try {
    const result = await runCli(sim, [...ssh.args, 'healthcheck', folder, '--json']);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const report = restoreReport(result.stdout);
    assert.match(String(report.newName), /^HEALTHCHECK_it's "\$\(id\)" `id` ;id_\d{8}T\d{6}Z$/);
    assert.deepEqual(names, [report.newName], 'the pool got exactly that name');
    assert.deepEqual([report.running, report.removed], [true, true]);
  } finally {
    sim.state.update = update;
  }
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
