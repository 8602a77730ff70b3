// A backup to a Windows disk, end to end on this Linux machine (issue 14): the command line runs
// in-process with `--transport xapi` against the simulator, its local host told that the disk
// follows Windows name rules (injected through Io.machine; the paths stay this machine's). The
// new folders get the Windows-safe name `backup-…-(hh-mm-ss)`, retention counts and orders both
// forms by date, and VMs whose names Windows cannot store are refused one by one while the
// others are backed up, each refusal in the status log.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import type { Simulator } from '../sim/index';
import { main } from '../../runner/src/cli/main';
import type { BackupListing } from '../../runner/src/backups/types';
import { listBackups } from '../../runner/src/backups/list';
import { readBackupFolder } from '../../runner/src/restore/folder';
import { createLocalHost } from '../../runner/src/host/local';
import { snapshotUuids, startPool, workspace } from './helpers';

let sim: Simulator;
before(async () => {
  sim = await startPool({
    name: 'windows-target',
    vms: [
      { name: 'web01', disks: [{ size: '1MiB' }] },
      { name: 'CON', disks: [{ size: '1MiB' }] },
      { name: 'what?', disks: [{ size: '1MiB' }] },
      { name: 'a:b', disks: [{ size: '1MiB' }] },
      { name: 'Db02', disks: [{ size: '1MiB' }] },
      { name: 'DB02', disks: [{ size: '1MiB' }] },
    ],
  });
});
after(async () => sim.close());

/** The command line in-process, its local host following Windows name rules on this machine's paths. */
async function onWindowsDisk(argv: string[]): Promise<{ code: number; out: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (out += c));
  const io = {
    stdout,
    stderr,
    stdin: Readable.from(['']),
    env: { VMBACKUP_PASSWORD: sim.password },
    machine: { platform: process.platform, nameRules: 'windows' as const },
  };
  const code = await main(argv, io, new AbortController().signal);
  return { code, out };
}

const runOnWindowsDisk = (args: string[]) => onWindowsDisk(['--transport', 'xapi', '--xapi', sim.url, ...args]);

const WINDOWS_FORM = /^backup-\d{4}-\d{2}-\d{2}-\(\d{2}-\d{2}-\d{2}\)$/;

function seed(vmDir: string, name: string, vm = 'web01'): void {
  mkdirSync(join(vmDir, name), { recursive: true });
  writeFileSync(join(vmDir, name, `${vm}.xva`), 'old');
  writeFileSync(join(vmDir, name, 'success'), '');
}

test('xapi transport to a Windows disk: (hh-mm-ss) folders, both forms kept by date, bad names refused', async () => {
  const ws = workspace();
  const vmDir = join(ws.backupDir, 'web01');
  // By raw name the original-form 10:15 sorts after the Windows-form 10:30: retention by name
  // would delete the newer one.
  const older = 'backup-2024-03-07-(10:15:00)';
  const newer = 'backup-2024-03-07-(10-30-00)';
  seed(vmDir, older);
  seed(vmDir, newer);
  const cfg = ws.writeConfig(['max_backups=2', 'vm-export=web01', 'vm-export=CON', 'vm-export=what.', 'vm-export=a.b']);
  const snapshotsBefore = snapshotUuids(sim);

  const first = await runOnWindowsDisk([cfg]);
  assert.equal(first.code, 2, first.out);
  assert.match(first.out, /VmBackup ended - \*\*ERRORS DETECTED\*\* - S:1 W:0 E:3/);
  assert.match(first.out, /ERROR the VM name 'CON' is the Windows device name CON/);
  assert.match(first.out, /ERROR the VM name 'what\?' contains '\?', which a Windows file name cannot hold/);
  assert.match(first.out, /ERROR the VM name 'a:b' contains ':', which a Windows file name cannot hold/);
  assert.deepEqual(readdirSync(ws.backupDir), ['web01'], 'no folder for a refused VM');
  const afterFirst = readdirSync(vmDir).sort();
  assert.equal(afterFirst.length, 2, afterFirst.join(', '));
  assert.ok(!afterFirst.includes(older), 'the older backup (by date) was deleted');
  assert.ok(afterFirst.includes(newer), 'the newer backup in the other form is kept');
  const made = afterFirst.find((name) => name !== newer)!;
  assert.match(made, WINDOWS_FORM);
  assert.match(first.out, new RegExp(`new backup_dir: .*web01/${made.replace(/[()]/g, '\\$&')}`));
  assert.ok(existsSync(join(vmDir, made, 'success')));
  assert.ok(existsSync(join(vmDir, made, 'web01.xva')));

  const log = readFileSync(ws.statusLog, 'utf8');
  for (const vm of ['CON', 'what?', 'a:b']) assert.ok(log.includes(`,end,ERROR verify_vm_name ${vm}\n`), log);
  assert.match(log, /,vm-export,vm,end,SUCCESS web01,/);

  // The next run counts the Windows-form folders like any backup: the oldest goes, its own stays.
  const second = await runOnWindowsDisk([cfg]);
  assert.equal(second.code, 2, second.out);
  assert.match(second.out, /S:1 W:0 E:3/);
  const afterSecond = readdirSync(vmDir).sort();
  assert.equal(afterSecond.length, 2, afterSecond.join(', '));
  assert.ok(!afterSecond.includes(newer), 'the oldest by date was deleted');
  assert.ok(afterSecond.includes(made), 'the first run’s backup is kept');
  for (const name of afterSecond) assert.match(name, WINDOWS_FORM);
  assert.deepEqual(snapshotUuids(sim), snapshotsBefore, 'every snapshot removed');
});

test('vmbackup list on a Windows disk: both forms oldest first by their date, retention marks by date', async () => {
  const ws = workspace();
  const vmDir = join(ws.backupDir, 'db01');
  // By raw name (10-30-00) sorts before (10:15:00): it would look older than it is.
  const names = ['backup-2024-03-07-(10:15:00)', 'backup-2024-03-07-(10-30-00)', 'backup-2024-03-07-(09-00-00)'];
  for (const name of names) seed(vmDir, name, 'db01');
  const cfg = ws.writeConfig(['max_backups=2', 'vm-export=db01']);
  const { code, out } = await onWindowsDisk(['list', '--json', cfg]);
  assert.equal(code, 0, out);
  const listing = JSON.parse(out) as BackupListing;
  const db01 = listing.vms.find((v) => v.vm === 'db01')!;
  assert.deepEqual(
    db01.backups.map((b) => [b.folder, b.date, b.newestSuccessful, b.deletedByNextRun ?? null]),
    [
      ['backup-2024-03-07-(09-00-00)', '2024-03-07T09:00:00.000Z', false, 'retention'],
      ['backup-2024-03-07-(10:15:00)', '2024-03-07T10:15:00.000Z', false, 'retention'],
      ['backup-2024-03-07-(10-30-00)', '2024-03-07T10:30:00.000Z', true, null],
    ],
  );
  assert.equal(db01.path, join(ws.backupDir, 'db01'));
});

test('restore given a VM folder takes its newest good backup by date, across both forms', async () => {
  const vmDir = join(workspace().backupDir, 'web01');
  // By raw name (10:15:00) would be the newest.
  for (const name of ['backup-2024-03-07-(10:15:00)', 'backup-2024-03-07-(10-30-00)']) {
    mkdirSync(join(vmDir, name), { recursive: true });
    writeFileSync(join(vmDir, name, 'web01.raw'), 'disk');
    writeFileSync(join(vmDir, name, 'success'), '');
  }
  const found = await readBackupFolder(createLocalHost({ platform: process.platform, nameRules: 'windows' }), vmDir);
  assert.equal(found.kind, 'vdi-export');
  assert.equal('folder' in found && found.folder, join(vmDir, 'backup-2024-03-07-(10-30-00)'));
});

test('list: a next run starting in the second of the newest backup gets the next second', async () => {
  const ws = workspace();
  const vmDir = join(ws.backupDir, 'db01');
  for (const name of ['backup-2024-03-07-(10:00:00)', 'backup-2024-03-07-(10-30-00)']) seed(vmDir, name, 'db01');
  const listing = await listBackups(createLocalHost({ platform: process.platform, nameRules: 'windows' }), {
    backupDir: ws.backupDir,
    retentionOf: () => ({ kind: 'config', maxBackups: 2 }),
    retentionNote: '',
    preClean: true,
    verify: false,
    // The engine would wait for 10:30:01 (newBackupFolder): (10-30-00) is a backup, not the new folder.
    now: new Date(Date.UTC(2024, 2, 7, 10, 30, 0, 400)),
  });
  const marks = listing.vms[0]!.backups.map((b) => [b.folder, b.deletedByNextRun ?? null]);
  assert.deepEqual(marks, [
    ['backup-2024-03-07-(10:00:00)', 'pre-clean'],
    ['backup-2024-03-07-(10-30-00)', null],
  ]);
});

test('two VMs whose names differ only in case are refused on a Windows disk, backed up on a POSIX one', async () => {
  const ws = workspace();
  const cfg = ws.writeConfig(['vm-export=Db02', 'vm-export=DB02', 'vm-export=web01']);
  const windows = await runOnWindowsDisk([cfg]);
  assert.equal(windows.code, 2, windows.out);
  assert.match(windows.out, /S:1 W:0 E:2/);
  assert.match(windows.out, /ERROR the VM name 'Db02' differs only in case from the VM 'DB02'/);
  assert.match(windows.out, /ERROR the VM name 'DB02' differs only in case from the VM 'Db02'/);
  assert.deepEqual(readdirSync(ws.backupDir), ['web01']);
  assert.match(readFileSync(ws.statusLog, 'utf8'), /,end,ERROR verify_vm_name DB02\n/);

  const posixDisk = workspace();
  const onPosix = await main(
    ['--transport', 'xapi', '--xapi', sim.url, posixDisk.writeConfig(['vm-export=Db02', 'vm-export=DB02'])],
    {
      stdout: new PassThrough(),
      stderr: new PassThrough(),
      stdin: Readable.from(['']),
      env: { VMBACKUP_PASSWORD: sim.password },
    },
    new AbortController().signal,
  );
  assert.equal(onPosix, 0);
  assert.deepEqual(readdirSync(posixDisk.backupDir).sort(), ['DB02', 'Db02']);
});

test('preview for a Windows disk warns of every VM a backup there would refuse, and why', async () => {
  const ws = workspace();
  const cfg = ws.writeConfig(['vm-export=web01', 'vm-export=CON', 'vm-export=a.b', 'vm-export=Db02']);
  const { code, out } = await runOnWindowsDisk([cfg, 'preview']);
  assert.equal(code, 1, out);
  assert.match(
    out,
    /WARNING the VM name 'CON' is the Windows device name CON: .*; a backup to this Windows disk refuses it/,
  );
  assert.match(out, /WARNING the VM name 'a:b' contains ':'.*; a backup to this Windows disk refuses it/);
  assert.match(out, /WARNING the VM name 'Db02' differs only in case from the VM 'DB02'/);
  assert.doesNotMatch(out, /'web01'/);
  assert.deepEqual(readdirSync(ws.backupDir), [], 'a preview writes nothing');
});

test('dry run for a Windows disk: the folder it would make has the Windows form, a refused VM is named', async () => {
  const ws = workspace();
  seed(join(ws.backupDir, 'web01'), 'backup-2024-03-07-(10:15:00)');
  const cfg = ws.writeConfig(['max_backups=1', 'vm-export=web01', 'vm-export=CON']);
  const { code, out } = await runOnWindowsDisk(['--dry-run', cfg]);
  assert.equal(code, 2, out);
  assert.match(out, /\[dry-run\] would create .*web01\/backup-\d{4}-\d{2}-\d{2}-\(\d{2}-\d{2}-\d{2}\)\n/);
  assert.match(out, /\[dry-run\] would delete oldest backup .*web01\/backup-2024-03-07-\(10:15:00\)/);
  assert.match(out, /ERROR the VM name 'CON' is the Windows device name CON/);
  assert.deepEqual(readdirSync(join(ws.backupDir, 'web01')), ['backup-2024-03-07-(10:15:00)'], 'nothing written');
});
