// Retention: max_backups, :N, pre_clean, the last-failed-backup clean-up, and the safety
// rules (only backup-named folders count; the newest successful backup is never deleted).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Simulator } from '../sim/index';
import { foldersToDelete, lastFailedFolder } from '../../runner/src/backup/retention';
import { ensureBundle, runCli, startPool, workspace } from './helpers';

const b = (day: number, ok = true) => ({ name: `backup-2024-01-${String(day).padStart(2, '0')}-(10:00:00)`, successful: ok });

test('foldersToDelete: oldest first, only backup folders, never the newest successful', () => {
  assert.deepEqual(foldersToDelete([b(3), b(1), b(2)], 2), [b(1).name]);
  assert.deepEqual(foldersToDelete([b(1), b(2), { name: 'notes.txt', successful: false }, { name: 'backup-old', successful: false }], 2), []);
  // The only successful backup is the oldest one: it stays, failed ones go.
  assert.deepEqual(foldersToDelete([b(1), b(2, false), b(3, false)], 1), [b(2).name, b(3).name].slice(0, 2));
  assert.deepEqual(foldersToDelete([b(1)], 1), []);
  assert.deepEqual(foldersToDelete([b(1), b(2)], 0), [b(1).name]);
});

test('lastFailedFolder: the newest backup without a marker', () => {
  assert.equal(lastFailedFolder([b(1), b(2, false)]), b(2).name);
  assert.equal(lastFailedFolder([]), undefined);
  assert.equal(lastFailedFolder([b(1, false), b(2)]), undefined);
});

let sim: Simulator;
before(async () => {
  ensureBundle();
  sim = await startPool({ name: 'retention', vms: [{ name: 'web01', disks: [{ size: '1MiB' }] }, { name: 'db01', disks: [{ size: '1MiB' }] }] });
});
after(async () => sim.close());

function seed(vmDir: string, days: number[], failed: number[] = []): void {
  mkdirSync(vmDir, { recursive: true });
  for (const d of days) {
    const dir = join(vmDir, b(d).name);
    mkdirSync(dir);
    writeFileSync(join(dir, 'web01.xva'), 'old');
    if (!failed.includes(d)) writeFileSync(join(dir, 'success'), '');
  }
}

test('max_backups keeps N backups; a stray file and foreign folders are never counted or deleted', async () => {
  const ws = workspace();
  const vmDir = join(ws.backupDir, 'web01');
  seed(vmDir, [1, 2, 3]);
  writeFileSync(join(vmDir, 'README.txt'), 'notes of the admin');
  mkdirSync(join(vmDir, 'restore-test'));
  const cfg = ws.writeConfig(['max_backups=2', 'vm-export=web01']);
  const result = await runCli(sim, [cfg]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const entries = readdirSync(vmDir).sort();
  assert.equal(entries.length, 4, entries.join(', '));
  assert.ok(entries.includes('README.txt') && entries.includes('restore-test'));
  assert.ok(entries.includes(b(3).name), 'the newest old backup stays');
  assert.ok(!entries.includes(b(1).name) && !entries.includes(b(2).name));
  assert.match(result.stdout, /Deleting oldest backup .*web01\/backup-2024-01-01-\(10:00:00\) /);
});

test(':N overrides max_backups per VM', async () => {
  const ws = workspace();
  seed(join(ws.backupDir, 'web01'), [1, 2, 3, 4]);
  seed(join(ws.backupDir, 'db01'), [1, 2, 3, 4]);
  const cfg = ws.writeConfig(['max_backups=3', 'vm-export=web01:1', 'vm-export=db01']);
  const result = await runCli(sim, [cfg]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.equal(readdirSync(join(ws.backupDir, 'web01')).length, 1);
  assert.equal(readdirSync(join(ws.backupDir, 'db01')).length, 3);
});

test('pre_clean=true deletes down to N-1 before the export', async () => {
  const ws = workspace();
  seed(join(ws.backupDir, 'web01'), [1, 2, 3]);
  const cfg = ws.writeConfig(['max_backups=2', 'vm-export=web01']);
  const result = await runCli(sim, [cfg, 'pre_clean=true']);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const out = result.stdout;
  const deleted = out.indexOf('Deleting oldest backup');
  const snapshot = out.indexOf('1.cmd: /opt/xensource/bin/xe vm-snapshot');
  assert.ok(deleted > 0 && snapshot > deleted, 'pre_clean deletes before the snapshot');
  assert.match(out, /pre_VM_max_backups: 1 /);
  const left = readdirSync(join(ws.backupDir, 'web01')).sort();
  assert.equal(left.length, 2);
  assert.equal(left[0], b(3).name);
});

test('a last failed backup is removed first; a warning while history has failures', async () => {
  const ws = workspace();
  const vmDir = join(ws.backupDir, 'web01');
  seed(vmDir, [1, 2, 3], [2, 3]);
  const cfg = ws.writeConfig(['max_backups=5', 'vm-export=web01']);
  const result = await runCli(sim, [cfg]);
  assert.ok(!existsSync(join(vmDir, b(3).name)), 'the newest failed backup was deleted');
  assert.match(result.stdout, /Delete last \*\*unsuccessful\*\* backup .*backup-2024-01-03-\(10:00:00\) /);
  // backup-2024-01-02 still lacks a marker: the original's warning, exit code 1.
  assert.match(result.stdout, /WARNING cleanup needed - not all backup history is successful/);
  assert.equal(result.code, 1);
  assert.match(result.stdout, /VmBackup ended - \*\*WARNING\(s\)\*\* - S:0 W:1 E:0/);
});
