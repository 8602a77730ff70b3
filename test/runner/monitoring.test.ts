// What monitoring sees (issue 11, item 8): a status log that cannot be written makes the run
// an error (exit 2), and a run that stops before the engine starts (config errors, no VMs
// loaded, backup_dir missing, a path the file system refuses: ENAMETOOLONG, ELOOP) still
// leaves `begin` + `end,ERROR` in the status log, one run-end event and exit 2. Local and ssh.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Simulator } from '../sim/index';
import { ensureBundle, localTransport, runCli, sshTransport, startPool, workspace, type CliResult, type Transport } from './helpers';

let sim: Simulator;
const transports: Transport[] = [localTransport];
before(async () => {
  ensureBundle();
  sim = await startPool({ name: 'monitoring', vms: [{ name: 'web01', disks: [{ size: '1MiB' }] }] });
  transports.push(await sshTransport(sim));
});
after(async () => {
  for (const t of transports) await t.stop();
  await sim.close();
});

interface JsonEvent {
  type: string;
  message: string;
  exitCode?: number;
  outcome?: string;
}

function events(result: CliResult): JsonEvent[] {
  return result.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as JsonEvent);
}

/** Exit 2, exactly one run-end event with outcome error, nothing "unexpected". */
function assertFailedRun(result: CliResult): void {
  assert.equal(result.code, 2, result.stdout + result.stderr);
  const ends = events(result).filter((e) => e.type === 'run-end');
  assert.equal(ends.length, 1, result.stdout);
  assert.deepEqual([ends[0]!.outcome, ends[0]!.exitCode], ['error', 2]);
  assert.doesNotMatch(result.stdout + result.stderr, /unexpected failure/);
}

/** A config with its own backup_dir / status_log (writeConfig sets the workspace's). */
function config(dir: string, backupDir: string, statusLog: string): string {
  const path = join(dir, 'own.cfg');
  writeFileSync(path, `backup_dir=${backupDir}\nstatus_log=${statusLog}\nvm-export=web01\n`);
  return path;
}

const FAILED_RECORD = /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d,vmbackup\.py,[^,]+,begin\n\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d,vmbackup\.py,[^,]+,end,ERROR,S:0 W:0 E:1\n$/;

for (const index of [0, 1]) {
  const name = index === 0 ? 'local' : 'ssh';
  const args = () => [...transports[index]!.args, '--json'];

  test(`${name}: a status log that cannot be written ends the run with errors, exit 2`, async () => {
    const ws = workspace();
    const cfg = config(ws.dir, ws.backupDir, join(ws.dir, 'no-such-dir', 'status.log'));
    const result = await runCli(sim, [...args(), cfg]);
    assertFailedRun(result);
    assert.match(result.stdout, /ERROR cannot write status log /);
    assert.match(result.stdout, /vm-export web01 - \*\*\*Success\*\*\*/, 'the backup itself worked');
    assert.match(result.stdout, /VmBackup ended - \*\*ERRORS DETECTED\*\* - S:1 W:0 E:1/);
  });

  test(`${name}: config errors leave a status-log record`, async () => {
    const ws = workspace();
    const result = await runCli(sim, [...args(), ws.writeConfig(['max_backups=many', 'vm-export=web01'])]);
    assertFailedRun(result);
    assert.match(readFileSync(ws.statusLog, 'utf8'), FAILED_RECORD);
  });

  test(`${name}: "no VMs loaded" leaves a status-log record`, async () => {
    const ws = workspace();
    const result = await runCli(sim, [...args(), ws.writeConfig(['vm-export=no-such-vm'])]);
    assertFailedRun(result);
    assert.match(result.stdout, /ERROR no VMs loaded/);
    assert.match(readFileSync(ws.statusLog, 'utf8'), FAILED_RECORD);
  });

  test(`${name}: a missing backup_dir (NFS not mounted) leaves a status-log record`, async () => {
    const ws = workspace();
    const result = await runCli(sim, [...args(), config(ws.dir, join(ws.dir, 'not-mounted'), ws.statusLog)]);
    assertFailedRun(result);
    assert.match(result.stdout, /config backup_dir does not exist/);
    assert.match(readFileSync(ws.statusLog, 'utf8'), FAILED_RECORD);
  });

  test(`${name}: a backup_dir the file system refuses (ENAMETOOLONG, ELOOP) ends like any error`, async () => {
    const ws = workspace();
    symlinkSync(join(ws.dir, 'loop-b'), join(ws.dir, 'loop-a'));
    symlinkSync(join(ws.dir, 'loop-a'), join(ws.dir, 'loop-b'));
    for (const backupDir of [join(ws.dir, 'x'.repeat(300)), join(ws.dir, 'loop-a', 'sub')]) {
      const result = await runCli(sim, [...args(), config(ws.dir, backupDir, ws.statusLog)]);
      assertFailedRun(result);
      assert.doesNotMatch(result.stdout, /VMB\d{3}/, 'no config diagnostic: the path itself fails');
    }
    const records = readFileSync(ws.statusLog, 'utf8').match(/,end,ERROR,S:0 W:0 E:1\n/g) ?? [];
    assert.equal(records.length, 2);
  });
}
