// `vmbackup delete`: removes backup folders by hand under one rule (backups/deletion.ts),
// locally and over the real sshd: never the newest good backup (unless the archive check
// proves it damaged), only folders named like backups, never outside backup_dir, never the
// lock, and hostile names stay names. The good backup is made by a real run against the simulator.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, posix, win32 } from 'node:path';
import type { Simulator } from '../sim/index';
import type { DeleteReport } from '../../runner/src/backups/types';
import { backupFolderPath, deletionRefusal, newestGoodFolder } from '../../runner/src/backups/deletion';
import { cliPath, ensureBundle, runCli, sshTransport, startPool, workspace } from './helpers';

function vmbackup(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env.VMBACKUP_PASSWORD;
  const child = spawn(process.execPath, [cliPath, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

let sim: Simulator;
let ws: ReturnType<typeof workspace>;
/** A good backup folder made by a real run (success marker, a complete .xva). */
let goodFolder: string;
let ssh: Awaited<ReturnType<typeof sshTransport>>;

const OLD = 'backup-2020-01-01-(00:00:00)';
const OLD_WINDOWS = 'backup-2020-01-02-(00-00-00)';
const FAILED = 'backup-2020-01-03-(00:00:00)';
const NEWEST = 'backup-2021-01-01-(00:00:00)';

before(async () => {
  ensureBundle();
  sim = await startPool({
    name: 'backups-delete',
    hosts: [{ name: hostname() }],
    vms: [{ name: 'web01', disks: [{ size: '1MiB', used: 1 }] }],
  });
  ws = workspace();
  const result = await runCli(sim, [ws.writeConfig(['vm-export=web01'])]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const vmDir = join(ws.backupDir, 'web01');
  goodFolder = join(vmDir, readdirSync(vmDir)[0]!);
  ssh = await sshTransport(sim);
});
after(async () => {
  await ssh?.stop();
  await sim.close();
});

/** A VM folder in a fresh backup_dir: two old good backups (both name forms), a failed one, the newest good one. */
function fixture(vm: string): { backupDir: string; vmDir: string } {
  const backupDir = join(ws.dir, `B-${Math.random().toString(36).slice(2)}`);
  const vmDir = join(backupDir, vm);
  for (const name of [OLD, OLD_WINDOWS, NEWEST]) {
    cpSync(goodFolder, join(vmDir, name), { recursive: true });
    // The export file keeps the VM's name as the runner writes it.
    for (const file of readdirSync(join(vmDir, name))) {
      if (file.startsWith('web01') && vm !== 'web01') {
        renameSync(join(vmDir, name, file), join(vmDir, name, file.replace('web01', vm)));
      }
    }
  }
  mkdirSync(join(vmDir, FAILED));
  return { backupDir, vmDir };
}

function report(result: { stdout: string; stderr: string }): DeleteReport {
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  return JSON.parse(result.stdout) as DeleteReport;
}

test('the rule (pure): never the newest good backup unless proven damaged; only backup-named folders', () => {
  const b = (folder: string, success: boolean, state: 'unverified' | 'damaged' = 'unverified') => ({
    folder,
    success,
    verified: { state },
  });
  const vm = { vm: 'web01', backups: [b(OLD, true), b(OLD_WINDOWS, true), b(FAILED, false), b(NEWEST, true)] };
  assert.equal(newestGoodFolder(vm), NEWEST);
  assert.match(deletionRefusal(vm, NEWEST) ?? '', /newest good backup of web01/);
  assert.equal(deletionRefusal(vm, OLD), undefined);
  assert.equal(deletionRefusal(vm, FAILED), undefined);
  assert.match(deletionRefusal(vm, 'notes') ?? '', /not named like a backup folder/);
  assert.match(deletionRefusal(vm, 'backup-2022-01-01-(00:00:00)') ?? '', /not a backup of web01/);
  // A proven-damaged newest one protects nothing: the next good one (by date, across name forms) is kept.
  const damaged = { vm: 'web01', backups: [b(OLD, true), b(OLD_WINDOWS, true), b(NEWEST, true, 'damaged')] };
  assert.equal(deletionRefusal(damaged, NEWEST), undefined);
  assert.match(deletionRefusal(damaged, OLD_WINDOWS) ?? '', /newest good/);
  assert.equal(deletionRefusal({ vm: 'x', backups: [b(FAILED, false)] }, FAILED), undefined);
});

test('the path rule (pure): inside backup_dir/<vm>/, no .., never the lock nor pool dumps; Windows paths', () => {
  const ok = backupFolderPath(posix, '/b/', `/b/vm/${OLD}/`);
  assert.deepEqual(ok, { ok: { backupDir: '/b', vmDir: '/b/vm', vm: 'vm', folder: OLD, path: `/b/vm/${OLD}` } });
  const refused = (dir: string, path: string) => {
    const r = backupFolderPath(posix, dir, path);
    return 'refused' in r ? r.refused : '';
  };
  assert.match(refused('/b', `/elsewhere/vm/${OLD}`), /not a backup folder of backup_dir \/b/);
  assert.match(refused('/b', `/b/${OLD}`), /not a backup folder of backup_dir/);
  assert.match(refused('/b', `/b/vm/x/${OLD}`), /not a backup folder of backup_dir/);
  assert.match(refused('/b', `/b/vm/../../etc/${OLD}`), /\.\./);
  assert.match(refused('/b', '/b/vm/.vmbackup.lock'), /run lock/);
  assert.match(refused('/b', `/b/.vmbackup.lock.takeover/${OLD}`), /run lock/);
  assert.match(refused('/b', `/b/METADATA_h/${OLD}`), /pool database dumps/);
  assert.match(refused('/b', '/b/vm/backup-2020-01-01-(00:00:00)$(reboot)'), /not named like a backup folder/);
  const windows = backupFolderPath(win32, 'D:\\Backups', `d:\\backups\\vm\\${OLD_WINDOWS}`);
  assert.ok('ok' in windows, JSON.stringify(windows));
});

for (const transport of ['local', 'ssh'] as const) {
  test(`delete (${transport}): old and failed folders go, the newest good one stays, dry-run keeps all`, async () => {
    const args = transport === 'ssh' ? ssh.args : [];
    const { backupDir, vmDir } = fixture('web01');
    const dry = await vmbackup([
      'delete',
      '--json',
      '--dry-run',
      '--backup-dir',
      backupDir,
      ...args,
      '--',
      join(vmDir, OLD),
    ]);
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    assert.equal(report(dry).folders[0]?.result, 'would-delete');
    assert.ok(existsSync(join(vmDir, OLD)));

    const paths = [OLD, OLD_WINDOWS, FAILED, NEWEST].map((f) => join(vmDir, f));
    const result = await vmbackup(['delete', '--json', `--backup-dir=${backupDir}`, ...args, ...paths]);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const r = report(result);
    assert.match(r.host, transport === 'ssh' ? /^ssh / : /^local/);
    assert.deepEqual(
      r.folders.map((f) => f.result),
      ['deleted', 'deleted', 'deleted', 'refused'],
    );
    assert.match(r.folders[3]?.reason ?? '', /newest good backup of web01/);
    assert.deepEqual(readdirSync(vmDir), [NEWEST]);
    assert.ok(existsSync(join(vmDir, NEWEST, 'success')));
    assert.equal(existsSync(join(backupDir, '.vmbackup.lock')), false, 'the lock is released');
  });

  test(`delete (${transport}): a newest backup proven damaged may go, the next good one stays`, async () => {
    const args = transport === 'ssh' ? ssh.args : [];
    const { backupDir, vmDir } = fixture('web01');
    const xva = readdirSync(join(vmDir, NEWEST)).find((f) => f.endsWith('.xva'))!;
    truncateSync(join(vmDir, NEWEST, xva), 1000);
    const result = await vmbackup(['delete', '--json', '--backup-dir', backupDir, ...args, join(vmDir, NEWEST)]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(report(result).folders[0]?.reason ?? '', /^damaged: /);
    assert.equal(existsSync(join(vmDir, NEWEST)), false);
    const next = await vmbackup(['delete', '--json', '--backup-dir', backupDir, ...args, join(vmDir, OLD_WINDOWS)]);
    assert.equal(next.code, 1, next.stdout);
    assert.ok(existsSync(join(vmDir, OLD_WINDOWS)));
  });

  test(`delete (${transport}): hostile names stay names, lookalike and outside folders refused`, async () => {
    const args = transport === 'ssh' ? ssh.args : [];
    const vm = `evil'"\`$(touch pwned) ;x\\ :`;
    const { backupDir, vmDir } = fixture(vm);
    const lookalike = join(vmDir, `${OLD} $(touch pwned2)`);
    mkdirSync(lookalike);
    const outside = join(ws.dir, `outside-${transport}`, 'vm', OLD);
    mkdirSync(outside, { recursive: true });
    const result = await vmbackup([
      'delete',
      '--json',
      '--backup-dir',
      backupDir,
      ...args,
      join(vmDir, OLD),
      lookalike,
      outside,
    ]);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const r = report(result);
    assert.deepEqual(
      r.folders.map((f) => f.result),
      ['deleted', 'refused', 'refused'],
    );
    assert.equal(r.folders[0]?.vm, vm);
    assert.ok(existsSync(lookalike) && existsSync(outside));
    assert.equal(existsSync(join(vmDir, OLD)), false);
    assert.ok(existsSync(join(vmDir, OLD_WINDOWS)));
    for (const dir of [process.cwd(), ws.dir, vmDir, ssh.sshd.home]) {
      assert.ok(!readdirSync(dir).some((n) => n.startsWith('pwned')), `nothing ran in ${dir}`);
    }
  });
}

test('delete refuses while a run holds the lock of backup_dir, and a missing folder is an error (exit 2)', async () => {
  const { backupDir, vmDir } = fixture('web01');
  const lock = join(backupDir, '.vmbackup.lock');
  // A live owner: this test's own process.
  writeFileSync(lock, JSON.stringify({ pid: process.pid, host: hostname(), started: new Date().toISOString() }));
  const busy = await vmbackup(['delete', '--json', '--backup-dir', backupDir, join(vmDir, OLD)]);
  assert.equal(busy.code, 1, busy.stdout + busy.stderr);
  assert.match(report(busy).folders[0]?.reason ?? '', /^nothing deleted: /);
  assert.ok(existsSync(join(vmDir, OLD)) && existsSync(lock));
  rmSync(lock);
  const missing = await vmbackup([
    'delete',
    '--json',
    '--backup-dir',
    backupDir,
    join(vmDir, 'backup-1999-01-01-(00:00:00)'),
  ]);
  assert.equal(missing.code, 2, missing.stdout + missing.stderr);
  assert.match(report(missing).folders[0]?.reason ?? '', /no such backup folder/);
  const usage = await vmbackup(['delete', '--verify']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /vmbackup delete does not take --verify/);
});
