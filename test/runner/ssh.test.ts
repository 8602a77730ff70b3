// The same guarantees over the ssh transport (a real OpenSSH sshd on 127.0.0.1): xe and every
// file operation run on the "remote" host through one multiplexed connection (or, with
// --ssh-no-multiplex as on Windows, a connection per command).
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Simulator } from '../sim/index';
import type { Sshd } from '../harness/sshd';
import {
  BACKUP_FOLDER,
  ensureBundle,
  runCli,
  snapshotUuids,
  sshTransport,
  startCli,
  startPool,
  tree,
  workspace,
  type Transport,
} from './helpers';

let sim: Simulator;
let ssh: Transport & { sshd: Sshd };
before(async () => {
  ensureBundle();
  sim = await startPool({
    name: 'ssh',
    vms: [
      { name: 'web01', disks: [{ size: '4MiB', used: 0.5 }, { size: '2MiB' }] },
      { name: 'db 01', power: 'Halted', disks: [{ size: '3MiB', used: 0.5 }] },
      { name: 'big01', disks: [{ size: '16MiB', used: 1 }] },
    ],
  });
  ssh = await sshTransport(sim);
});
after(async () => {
  await ssh.stop();
  await sim.close();
});
afterEach(() => sim.faults.reset());

test('ssh: vm-export (gzip), vdi-export (vhd) and metadata-export in one run, exact layout', async () => {
  const ws = workspace();
  const before = snapshotUuids(sim);
  const cfg = ws.writeConfig([
    'vdi_export_format=vhd',
    'compress=gzip',
    'vm-export=web01',
    'vdi-export=db 01',
    'metadata-export=big01',
  ]);
  const result = await runCli(sim, [...ssh.args, cfg]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.deepEqual(snapshotUuids(sim), before);
  const one = (vm: string) => {
    const folders = readdirSync(join(ws.backupDir, vm));
    assert.equal(folders.length, 1);
    assert.match(folders[0]!, BACKUP_FOLDER);
    return join(ws.backupDir, vm, folders[0]!);
  };
  assert.deepEqual(tree(one('web01')), [
    'DISK-xvda/',
    'DISK-xvda/vbd.cfg',
    'DISK-xvda/vdi.cfg',
    'DISK-xvdb/',
    'DISK-xvdb/vbd.cfg',
    'DISK-xvdb/vdi.cfg',
    'VIFs/',
    'VIFs/vif-0.cfg',
    'success',
    'vm-metadata.xml',
    'web01.xva.gz',
  ]);
  assert.deepEqual(tree(one('db 01')), [
    'DISK-xvda/',
    'DISK-xvda/vbd.cfg',
    'DISK-xvda/vdi.cfg',
    'VIFs/',
    'VIFs/vif-0.cfg',
    'db 01.vhd',
    'success',
    'vm-metadata.xml',
  ]);
  assert.ok(readdirSync(one('big01')).includes('big01.xva'));
  assert.match(readFileSync(join(one('web01'), 'vm-metadata.xml'), 'utf8'), /^<\?xml version="1\.0"\?>\n<value>/);
  const log = readFileSync(ws.statusLog, 'utf8');
  assert.match(log, /end,SUCCESS web01,elapse:0 size:0G\n/);
  assert.match(log, /end,SUCCESS db 01,elapse:0 size:0G\n/);
  assert.match(log, /end,SUCCESS,S:3 W:0 E:0\n$/);
});

test('ssh --ssh-no-multiplex: the same backup as multiplexed, through a connection per command', async () => {
  const logins = () => (ssh.sshd.log().match(/Accepted publickey for /g) ?? []).length;
  const backup = async (extra: string[], expectedLogins: number) => {
    const ws = workspace();
    const before = logins();
    const result = await runCli(sim, [...ssh.args, ...extra, ws.writeConfig(['vm-export=web01', 'vdi-export=db 01'])]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    // sshd's log comes through a pipe and may trail the run's end: wait for the logins expected.
    for (let i = 0; i < 250 && logins() - before < expectedLogins; i++) await new Promise((r) => setTimeout(r, 20));
    const layout = tree(ws.backupDir).map((path) => path.replace(/backup-[^/]+/, 'backup-*'));
    const status = readFileSync(ws.statusLog, 'utf8').replace(/^[^,]*,/gm, '');
    return { layout, status, logins: logins() - before };
  };
  const multiplexed = await backup([], 1);
  const single = await backup(['--ssh-no-multiplex'], 4);
  assert.deepEqual(single.layout, multiplexed.layout);
  assert.ok(single.layout.includes('web01/backup-*/web01.xva'), single.layout.join(', '));
  assert.equal(single.status, multiplexed.status);
  assert.equal(multiplexed.logins, 1);
  // uname, the sftp channel, and every `xe` call each log in on their own.
  assert.ok(single.logins > 3, String(single.logins));
});

test('ssh: vm-export (zstd) and vdi-export (raw), verified on the remote side', async () => {
  const ws = workspace();
  const cfg = ws.writeConfig(['vm-export=web01', 'vdi-export=db 01']);
  const result = await runCli(sim, [...ssh.args, cfg, 'compress=zstd']);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const file = (vm: string, name: string) => {
    const [folder] = readdirSync(join(ws.backupDir, vm));
    const files = readdirSync(join(ws.backupDir, vm, folder!));
    assert.ok(files.includes(name) && files.includes('success'), files.join(', '));
    return readFileSync(join(ws.backupDir, vm, folder!, name));
  };
  assert.deepEqual([...file('web01', 'web01.xva.zst').subarray(0, 4)], [0x28, 0xb5, 0x2f, 0xfd]);
  assert.equal(file('db 01', 'db 01.raw').length, 3 * 1024 * 1024);
});

test('ssh: retention ignores stray entries', async () => {
  const ws = workspace();
  const vmDir = join(ws.backupDir, 'web01');
  mkdirSync(vmDir);
  for (const d of ['01', '02']) {
    mkdirSync(join(vmDir, `backup-2024-01-${d}-(10:00:00)`));
    writeFileSync(join(vmDir, `backup-2024-01-${d}-(10:00:00)`, 'success'), '');
  }
  writeFileSync(join(vmDir, 'notes.txt'), 'keep me');
  const cfg = ws.writeConfig(['max_backups=2', 'vm-export=web01']);
  const result = await runCli(sim, [...ssh.args, cfg]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const left = readdirSync(vmDir).sort();
  assert.equal(left.length, 3, left.join(', '));
  assert.ok(left.includes('notes.txt') && left.includes('backup-2024-01-02-(10:00:00)'));
});

test('ssh: export failure removes snapshot and partial folder', async () => {
  const ws = workspace();
  const before = snapshotUuids(sim);
  sim.faults.set({ exportFailAfterBytes: 50_000 });
  const result = await runCli(sim, [...ssh.args, ws.writeConfig(['vm-export=web01'])]);
  assert.equal(result.code, 2, result.stdout);
  assert.deepEqual(snapshotUuids(sim), before);
  assert.deepEqual(readdirSync(join(ws.backupDir, 'web01')), []);
  assert.match(readFileSync(ws.statusLog, 'utf8'), /end,VM-EXPORT-FAIL web01\n.*end,ERROR,S:0 W:0 E:1\n$/s);
});

test('ssh: SIGTERM mid-export stops cleanly; a concurrent run is refused', async () => {
  const ws = workspace();
  const before = snapshotUuids(sim);
  sim.faults.set({ exportBytesPerSecond: 512 * 1024 });
  const cfg = ws.writeConfig(['vm-export=big01']);
  const run = startCli(sim, [...ssh.args, cfg]);
  await run.waitFor(/^\S+ - 3\.cmd: \/opt\/xensource\/bin\/xe vm-export /);
  const second = await runCli(sim, [...ssh.args, cfg]);
  assert.equal(second.code, 2);
  assert.match(second.stdout, /another vmbackup run is using this backup directory/);
  run.child.kill('SIGTERM');
  const result = await run.done;
  assert.equal(result.code, 2, result.stdout + result.stderr);
  assert.deepEqual(snapshotUuids(sim), before);
  assert.deepEqual(readdirSync(join(ws.backupDir, 'big01')), []);
  assert.ok(!existsSync(join(ws.backupDir, '.vmbackup.lock')));
  assert.match(readFileSync(ws.statusLog, 'utf8'), /end,INTERRUPTED big01\n.*end,ERROR,S:0 W:0 E:1\n$/s);
});
