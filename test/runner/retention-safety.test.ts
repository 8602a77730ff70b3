// Retention by what a folder is, not only by its name (issue 11, items 2, 3 and the partial
// folder of item 9): the backup a run just made is never deleted, a successful backup is never
// deleted to keep a failed one, folder names do not depend on the runner's time zone, and
// the only partial folder of a killed run is removed by the next run. Local and over ssh.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Simulator } from '../sim/index';
import { backupFolderName } from '../../runner/src/backup/layout';
import { foldersToDelete, lastFailedFolder } from '../../runner/src/backup/retention';
import { ensureBundle, localTransport, runCli, sshTransport, startPool, workspace, type Transport } from './helpers';

const b = (day: number, ok = true) => ({ name: `backup-2024-01-${String(day).padStart(2, '0')}-(10:00:00)`, successful: ok });

test('backupFolderName: the same instant gives the same name under any TZ (UTC, the original format)', () => {
  const instant = new Date(Date.UTC(2024, 0, 31, 23, 30, 5));
  const saved = process.env.TZ;
  try {
    const names = ['Etc/GMT-14', 'Etc/GMT+12', 'Europe/Paris', 'UTC'].map((tz) => {
      process.env.TZ = tz;
      return backupFolderName(instant);
    });
    assert.deepEqual(new Set(names), new Set(['backup-2024-01-31-(23:30:05)']));
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
});

test('foldersToDelete: failed folders go before any successful one', () => {
  // [good, failed, failed] + this run's new good backup, keep 2: the old good backup stays.
  assert.deepEqual(foldersToDelete([b(1), b(2, false), b(3, false), b(4)], 2, b(4).name), [b(2).name, b(3).name]);
  // Without a current folder (pre_clean): failed first as well.
  assert.deepEqual(foldersToDelete([b(1), b(2, false), b(3)], 2), [b(2).name]);
});

test('foldersToDelete: the current folder is never deleted, whatever its name sorts as', () => {
  // A folder dated in the future (a clock once wrong) sorts after this run's folder.
  const future = { name: 'backup-2099-01-01-(00:00:00)', successful: true };
  assert.deepEqual(foldersToDelete([b(1), future, b(5)], 1, b(5).name), [b(1).name, future.name]);
  assert.deepEqual(foldersToDelete([b(5), b(6)], 0, b(5).name), [b(6).name]);
});

test('lastFailedFolder: also the only folder (the partial folder of a killed run)', () => {
  assert.equal(lastFailedFolder([b(2, false)]), b(2).name);
  assert.equal(lastFailedFolder([b(2)]), undefined);
});

let sim: Simulator;
const transports: Transport[] = [localTransport];
before(async () => {
  ensureBundle();
  sim = await startPool({ name: 'retention-safety', vms: [{ name: 'web01', disks: [{ size: '1MiB' }] }] });
  transports.push(await sshTransport(sim));
});
after(async () => {
  for (const t of transports) await t.stop();
  await sim.close();
});

function seed(vmDir: string, name: string, successful: boolean): void {
  mkdirSync(join(vmDir, name), { recursive: true });
  writeFileSync(join(vmDir, name, 'web01.xva'), 'old');
  if (successful) writeFileSync(join(vmDir, name, 'success'), '');
}

/** The folder the run reports for its vm-end event (--json). */
function madeFolder(stdout: string): string {
  const end = stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { type: string; folder?: string })
    .find((e) => e.type === 'vm-end' && e.folder !== undefined);
  assert.ok(end?.folder, stdout);
  return basename(end.folder);
}

for (const transportIndex of [0, 1]) {
  const label = () => transports[transportIndex]!.name;
  const args = () => transports[transportIndex]!.args;

  test(`${transportIndex ? 'ssh' : 'local'}: runs under time zones 26 hours apart, max_backups=1: each keeps its own backup`, async () => {
    const ws = workspace();
    const cfg = ws.writeConfig(['max_backups=1', 'vm-export=web01']);
    const east = await runCli(sim, [...args(), '--json', cfg], { TZ: 'Etc/GMT-14' });
    assert.equal(east.code, 0, `${label()}: ${east.stdout}${east.stderr}`);
    const west = await runCli(sim, [...args(), '--json', cfg], { TZ: 'Etc/GMT+12' });
    assert.equal(west.code, 0, west.stdout + west.stderr);
    assert.deepEqual(readdirSync(join(ws.backupDir, 'web01')), [madeFolder(west.stdout)]);
    assert.ok(existsSync(join(ws.backupDir, 'web01', madeFolder(west.stdout), 'success')));
  });

  test(`${transportIndex ? 'ssh' : 'local'}: a successful folder dated in the future does not make the run delete its own backup`, async () => {
    const ws = workspace();
    const vmDir = join(ws.backupDir, 'web01');
    seed(vmDir, 'backup-2099-01-01-(00:00:00)', true);
    const result = await runCli(sim, [...args(), '--json', ws.writeConfig(['max_backups=1', 'vm-export=web01'])]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.deepEqual(readdirSync(vmDir), [madeFolder(result.stdout)]);
  });

  test(`${transportIndex ? 'ssh' : 'local'}: [good, failed, failed] + a good run, max_backups=2, keeps [good, new]`, async () => {
    const ws = workspace();
    const vmDir = join(ws.backupDir, 'web01');
    seed(vmDir, b(1).name, true);
    seed(vmDir, b(2).name, false);
    seed(vmDir, b(3).name, false);
    const result = await runCli(sim, [...args(), '--json', ws.writeConfig(['max_backups=2', 'vm-export=web01'])]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.deepEqual(readdirSync(vmDir).sort(), [b(1).name, madeFolder(result.stdout)].sort());
  });

  test(`${transportIndex ? 'ssh' : 'local'}: the only partial folder of a killed run is removed by the next run`, async () => {
    const ws = workspace();
    const vmDir = join(ws.backupDir, 'web01');
    seed(vmDir, b(2).name, false);
    const result = await runCli(sim, [...args(), '--json', ws.writeConfig(['max_backups=3', 'vm-export=web01'])]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.deepEqual(readdirSync(vmDir), [madeFolder(result.stdout)]);
    assert.match(result.stdout, /Delete last \*\*unsuccessful\*\* backup /);
  });
}
