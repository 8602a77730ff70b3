// `vmbackup list`: backups made by real runs against the simulator, then list's JSON compared
// with what is on disk (folders, files, sizes, markers, pool dumps), and its retention marks
// compared with what the next real run deletes. No password is given: list never logs in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Simulator } from '../sim/index';
import type { BackupListing } from '../../runner/src/backups/types';
import { SUCCESS_MARKERS } from '../../runner/src/backup/layout';
import { nextRunDeletions } from '../../runner/src/backup/retention';
import { BACKUP_FOLDER, cliPath, ensureBundle, runCli, sshTransport, startPool, workspace } from './helpers';

const server = hostname().split('.')[0]!;

/** The bundled CLI with no password anywhere in its environment. */
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

function bytesBelow(path: string): number {
  if (!statSync(path).isDirectory()) return statSync(path).size;
  return readdirSync(path).reduce((sum, name) => sum + bytesBelow(join(path, name)), 0);
}

/** The backup folders on disk, per VM folder. */
function foldersOnDisk(backupDir: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const vm of readdirSync(backupDir).sort()) {
    if (vm.startsWith('METADATA_') || !statSync(join(backupDir, vm)).isDirectory()) continue;
    out[vm] = readdirSync(join(backupDir, vm))
      .filter((f) => BACKUP_FOLDER.test(f))
      .sort();
  }
  return out;
}

let sim: Simulator;
let ws: ReturnType<typeof workspace>;
let mainConfig: string;

before(async () => {
  ensureBundle();
  sim = await startPool({
    name: 'backups-list',
    hosts: [{ name: hostname() }],
    vms: [
      { name: 'web01', disks: [{ size: '2MiB', used: 1 }] },
      { name: 'rawvm', disks: [{ size: '1MiB', used: 1 }] },
      { name: 'meta01', disks: [{ size: '1MiB' }] },
      { name: 'gzvm', disks: [{ size: '1MiB', used: 1 }] },
      { name: 'zstvm', disks: [{ size: '1MiB', used: 1 }] },
      { name: 'vhdvm', disks: [{ size: '2MiB', used: 1 }] },
    ],
  });
  ws = workspace();
  mainConfig = ws.writeConfig(
    ['max_backups=2', 'pool_db_backup=1', 'vm-export=web01:3', 'vdi-export=rawvm', 'metadata-export=meta01'],
    'main.cfg',
  );
  const others = [
    ws.writeConfig(['compress=gzip', 'vm-export=gzvm'], 'gz.cfg'),
    ws.writeConfig(['compress=zstd', 'vm-export=zstvm'], 'zst.cfg'),
    ws.writeConfig(['vdi_export_format=vhd', 'vdi-export=vhdvm'], 'vhd.cfg'),
  ];
  for (const config of [mainConfig, mainConfig, mainConfig, ...others]) {
    const result = await runCli(sim, [config]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
  }
  // What an admin's disk holds besides: a stray file, an old failed folder, a killed last run.
  writeFileSync(join(ws.backupDir, 'web01', 'README.txt'), 'notes');
  writeFileSync(join(ws.backupDir, 'notes.txt'), 'not a VM folder');
  mkdirSync(join(ws.backupDir, 'rawvm', 'backup-2020-01-01-(00:00:00)'));
  const meta = foldersOnDisk(ws.backupDir).meta01!;
  rmSync(join(ws.backupDir, 'meta01', meta.at(-1)!, 'success'));
});
after(async () => sim.close());

const KINDS: Record<string, string> = {
  web01: 'xva',
  rawvm: 'raw',
  meta01: 'metadata',
  gzvm: 'xva.gz',
  zstvm: 'xva.zst',
  vhdvm: 'vhd',
};

test('list --json matches the disk: folders, kinds, files, sizes, markers, pool dumps (no password)', async () => {
  const result = await vmbackup(['list', mainConfig, '--json']);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const listing = JSON.parse(result.stdout) as BackupListing;
  assert.equal(listing.type, 'backup-list');
  assert.equal(listing.backupDir, ws.backupDir);
  assert.equal(listing.verifiedAll, false);
  const disk = foldersOnDisk(ws.backupDir);
  assert.deepEqual(
    listing.vms.map((v) => v.vm),
    Object.keys(disk),
  );
  for (const vm of listing.vms) {
    assert.deepEqual(
      vm.backups.map((b) => b.folder),
      disk[vm.vm],
      vm.vm,
    );
    for (const b of vm.backups) {
      const path = join(ws.backupDir, vm.vm, b.folder);
      assert.equal(b.path, path);
      const m = /^backup-(\d{4})-(\d\d)-(\d\d)-\((\d\d):(\d\d):(\d\d)\)$/.exec(b.folder)!;
      assert.equal(b.date, `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.000Z`);
      assert.equal(b.bytes, bytesBelow(path), `${vm.vm}/${b.folder} bytes`);
      assert.deepEqual(
        b.successMarkers,
        SUCCESS_MARKERS.filter((marker) => existsSync(join(path, marker))),
      );
      assert.equal(b.success, b.successMarkers.length > 0);
      assert.deepEqual(b.verified, { state: 'unverified' });
      if (b.folder === 'backup-2020-01-01-(00:00:00)') {
        assert.equal(b.kind, undefined);
        assert.equal(b.exportFile, undefined);
        continue;
      }
      assert.equal(b.kind, KINDS[vm.vm], `${vm.vm} kind`);
      const file = `${vm.vm}.${KINDS[vm.vm] === 'metadata' ? 'xva' : KINDS[vm.vm]}`;
      assert.deepEqual(b.exportFile, { name: file, bytes: statSync(join(path, file)).size });
    }
    const successful = vm.backups.filter((b) => b.success);
    assert.deepEqual(
      vm.backups.filter((b) => b.newestSuccessful).map((b) => b.folder),
      [successful.at(-1)!.folder],
    );
  }
  assert.deepEqual(listing.vms.find((v) => v.vm === 'web01')!.otherEntries, ['README.txt']);
  const dumps = readdirSync(join(ws.backupDir, `METADATA_${server}`)).sort();
  assert.equal(dumps.length, 3);
  assert.deepEqual(
    listing.poolDumps.map((d) => [d.host, d.file, d.bytes]),
    dumps.map((f) => [server, f, statSync(join(ws.backupDir, `METADATA_${server}`, f)).size]),
  );
  assert.ok(listing.poolDumps.every((d) => d.date !== undefined));
  assert.match(listing.poolDumpNote, /xe pool-restore-database file-name=/);
  assert.deepEqual(listing.otherEntries, ['notes.txt']);
});

test('list CONFIG: max_backups and :N of the config; VMs it does not select are left alone', async () => {
  const listing = JSON.parse((await vmbackup(['list', mainConfig, '--json'])).stdout) as BackupListing;
  const basis = Object.fromEntries(listing.vms.map((v) => [v.vm, v.retention]));
  assert.deepEqual(basis.web01, { kind: 'vm-suffix', maxBackups: 3, line: 5 });
  assert.deepEqual(basis.rawvm, { kind: 'config', maxBackups: 2 });
  assert.deepEqual(basis.meta01, { kind: 'config', maxBackups: 2 });
  assert.deepEqual(basis.gzvm, { kind: 'not-selected' });
  assert.ok(listing.vms.find((v) => v.vm === 'gzvm')!.backups.every((b) => b.deletedByNextRun === undefined));
  const marks = (vm: string) =>
    listing.vms
      .find((v) => v.vm === vm)!
      .backups.filter((b) => b.deletedByNextRun)
      .map((b) => [b.folder, b.deletedByNextRun]);
  const disk = foldersOnDisk(ws.backupDir);
  // web01: 3 backups, keeps 3: the oldest goes once the next one succeeded.
  assert.deepEqual(marks('web01'), [[disk.web01![0], 'retention']]);
  // rawvm: the failed 2020 folder first, then the oldest good one (2 kept with the new one).
  assert.deepEqual(marks('rawvm'), [
    ['backup-2020-01-01-(00:00:00)', 'retention'],
    [disk.rawvm![1], 'retention'],
  ]);
  // meta01: the newest has no marker (a killed run): deleted before the run starts.
  assert.deepEqual(marks('meta01'), [[disk.meta01![1], 'last-failed']]);
});

test("list's retention marks are what the next real run deletes", async () => {
  const listing = JSON.parse((await vmbackup(['list', mainConfig, '--json'])).stdout) as BackupListing;
  const before = foldersOnDisk(ws.backupDir);
  const result = await runCli(sim, [mainConfig]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const after = foldersOnDisk(ws.backupDir);
  for (const vm of listing.vms) {
    const deleted = before[vm.vm]!.filter((f) => !after[vm.vm]!.includes(f));
    const marked = vm.backups.filter((b) => b.deletedByNextRun !== undefined).map((b) => b.folder);
    assert.deepEqual(deleted, marked, `${vm.vm}: deleted by the run vs marked by list`);
  }
  assert.ok(
    Object.values(listing.vms).some((v) => v.backups.some((b) => b.deletedByNextRun)),
    'marks were tested',
  );
});

test('with pre_clean=true too: the marks are what a pre_clean run deletes', async () => {
  const listing = JSON.parse(
    (await vmbackup(['list', mainConfig, 'pre_clean=true', '--json'])).stdout,
  ) as BackupListing;
  assert.match(listing.retentionNote, /with pre_clean=true/);
  const before = foldersOnDisk(ws.backupDir);
  const result = await runCli(sim, [mainConfig, 'pre_clean=true']);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const after = foldersOnDisk(ws.backupDir);
  for (const vm of listing.vms) {
    const deleted = before[vm.vm]!.filter((f) => !after[vm.vm]!.includes(f));
    const marked = vm.backups.filter((b) => b.deletedByNextRun !== undefined).map((b) => b.folder);
    assert.deepEqual(deleted, marked, `${vm.vm}: deleted by the pre_clean run vs marked by list`);
  }
  const web01 = listing.vms.find((v) => v.vm === 'web01')!;
  assert.deepEqual(
    web01.backups.filter((b) => b.deletedByNextRun).map((b) => b.deletedByNextRun),
    ['pre-clean'],
    'web01 (keeps 3, holds 3): its oldest goes before the export',
  );
});

test('nextRunDeletions with pre_clean: the same rule as the run (retention.ts)', () => {
  const b = (day: number, successful = true) => ({ name: `backup-2024-01-0${day}-(10:00:00)`, successful });
  const next = 'backup-2024-01-09-(10:00:00)';
  assert.deepEqual(nextRunDeletions([b(1), b(2), b(3)], 2, next, true), [
    { name: b(1).name, reason: 'pre-clean' },
    { name: b(2).name, reason: 'pre-clean' },
  ]);
  assert.deepEqual(nextRunDeletions([b(1), b(2), b(3)], 2, next), [
    { name: b(1).name, reason: 'retention' },
    { name: b(2).name, reason: 'retention' },
  ]);
  assert.deepEqual(nextRunDeletions([b(1), b(2, false)], 1, next), [
    { name: b(2).name, reason: 'last-failed' },
    { name: b(1).name, reason: 'retention' },
  ]);
});

test('list BACKUP_DIR: the default max_backups, said so; the human table', async () => {
  const json = await vmbackup(['list', ws.backupDir, '--json']);
  assert.equal(json.code, 0, json.stderr);
  const listing = JSON.parse(json.stdout) as BackupListing;
  assert.ok(listing.vms.every((v) => v.retention.kind === 'default' && v.retention.maxBackups === 4));
  assert.match(listing.retentionNote, /default max_backups 4/);
  assert.equal(listing.config, undefined);
  const human = await vmbackup(['list', ws.backupDir]);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /DATE \(UTC\) +KIND +SIZE +SUCCESS +VERIFIED +NEXT RUN +FOLDER/);
  assert.match(human.stdout, /^web01: \d backup\(s\), keeps 4 \(the default max_backups: no config given\)$/m);
  assert.match(human.stdout, /^ {2}\S+ \S+ +xva\.zst +[\d.]+ (KiB|MiB) +yes +unverified +keeps \(newest good\)/m);
  assert.match(human.stdout, /Pool database dumps: .*xe pool-restore-database/);
});

test('list --verify reads every archive: good ones good, a cut one damaged (exit 1)', async () => {
  const dir = join(ws.dir, 'BACKUPS2');
  mkdirSync(join(dir, 'gzvm'), { recursive: true });
  const gz = foldersOnDisk(ws.backupDir).gzvm![0]!;
  const copy = join(dir, 'gzvm', gz);
  mkdirSync(copy);
  const { readFileSync } = await import('node:fs');
  const data = readFileSync(join(ws.backupDir, 'gzvm', gz, 'gzvm.xva.gz'));
  writeFileSync(join(copy, 'gzvm.xva.gz'), data.subarray(0, data.length - 100));
  writeFileSync(join(copy, 'success'), '');
  const cut = await vmbackup(['list', dir, '--verify', '--json']);
  assert.equal(cut.code, 1, cut.stderr);
  const entry = (JSON.parse(cut.stdout) as BackupListing).vms[0]!.backups[0]!;
  assert.equal(entry.verified.state, 'damaged');
  assert.match((entry.verified as { reason: string }).reason, /gzvm\.xva\.gz: the gzip stream is damaged/);
  const all = await vmbackup(['list', mainConfig, '--verify', '--json']);
  assert.equal(all.code, 0, all.stderr);
  const listing = JSON.parse(all.stdout) as BackupListing;
  assert.equal(listing.verifiedAll, true);
  for (const vm of listing.vms) {
    for (const b of vm.backups) {
      if (b.exportFile) assert.equal(b.verified.state, 'good', `${vm.vm}/${b.folder}`);
      else assert.equal(b.verified.state, 'damaged');
    }
  }
});

test('list over ssh (--ssh, --ssh-config) reads the same backups as locally', async () => {
  const transport = await sshTransport(sim);
  try {
    const local = JSON.parse((await vmbackup(['list', mainConfig, '--json'])).stdout) as BackupListing;
    const remote = await vmbackup(['list', mainConfig, '--json', ...transport.args]);
    assert.equal(remote.code, 0, remote.stdout + remote.stderr);
    const listing = JSON.parse(remote.stdout) as BackupListing;
    assert.match(listing.host, /^ssh /);
    assert.deepEqual(listing.vms, local.vms);
    assert.deepEqual(listing.poolDumps, local.poolDumps);
  } finally {
    await transport.stop();
  }
});

test('hostile folder names: the table shows control characters as visible escapes, JSON keeps them', async () => {
  const dir = join(ws.dir, 'BACKUPS-hostile');
  const vm = 'evil\x1b[31m$(reboot)\r';
  const folder = join(dir, vm, 'backup-2024-01-02-(03:04:05)');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, `${vm}.raw`), Buffer.alloc(1024));
  writeFileSync(join(folder, 'success'), '');
  const human = await vmbackup(['list', dir]);
  assert.equal(human.code, 0, human.stderr);
  assert.doesNotMatch(human.stdout, /[\x1b\r]/);
  assert.match(human.stdout, /^evil\\x1b\[31m\$\(reboot\)\\r: 1 backup\(s\)/m);
  assert.match(human.stdout, /2024-01-02 03:04:05 +raw +1\.0 KiB +yes +unverified/);
  const listing = JSON.parse((await vmbackup(['list', dir, '--json'])).stdout) as BackupListing;
  assert.equal(listing.vms[0]!.vm, vm);
  assert.deepEqual(listing.vms[0]!.backups[0]!.exportFile, { name: `${vm}.raw`, bytes: 1024 });
});

test('list errors: a missing BACKUP_DIR or unknown option exits 2 with the reason, no stack trace', async () => {
  const missing = await vmbackup(['list', join(ws.dir, 'nope')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /^vmbackup: BACKUP_DIR .*nope is not a folder on local\n$/);
  const none = await vmbackup(['list']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /BACKUP_DIR \/snapshots\/BACKUPS is not a folder on local/);
  const option = await vmbackup(['list', ws.backupDir, '--password-stdin']);
  assert.equal(option.code, 2);
  assert.match(option.stderr, /vmbackup list does not take --password-stdin .*no password is needed/);
});
