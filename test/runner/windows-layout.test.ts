// Backups written to a Windows disk (issue 14: the xapi transport on a Windows workstation):
// the backup folder's Windows-safe name, both folder forms read back and ordered by their date,
// VM names a Windows file name cannot carry refused with the reason, and win32 path joins on a
// Windows target while ssh targets stay POSIX. Pure functions and the hosts' declared rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { posix, win32 } from 'node:path';
import {
  backupFolderName,
  compareBackupFolders,
  isBackupFolderName,
  pathsOf,
  unsafeFolderReason,
} from '../../runner/src/backup/layout';
import { caseTwinOnWindows, windowsNameReason } from '../../runner/src/backup/windows-names';
import { foldersToDelete, lastFailedFolder, readBackupFolders } from '../../runner/src/backup/retention';
import { createLocalHost } from '../../runner/src/host/local';
import { createXapiHost } from '../../runner/src/host/xapi';
import type { Host } from '../../runner/src/host/types';
import { readFolder } from '../../runner/src/backups/folder';
import { verifyFolder } from '../../runner/src/backups/check';
import { hostileNames, windowsGoodNames, windowsHostileNames } from '../host/hostile-names';

const date = new Date(Date.UTC(2016, 0, 29, 10, 33, 49));

test('backup folder names: the original form on POSIX targets, (hh-mm-ss) on Windows targets', () => {
  assert.equal(backupFolderName(date), 'backup-2016-01-29-(10:33:49)');
  assert.equal(backupFolderName(date, 'posix'), 'backup-2016-01-29-(10:33:49)');
  assert.equal(backupFolderName(date, 'windows'), 'backup-2016-01-29-(10-33-49)');
  assert.equal(windowsNameReason(backupFolderName(date, 'windows')), undefined);
  assert.notEqual(windowsNameReason(backupFolderName(date, 'posix')), undefined);
});

test('isBackupFolderName: both forms are backups; a mixed or other name is not', () => {
  for (const name of ['backup-2016-01-29-(10:33:49)', 'backup-2016-01-29-(10-33-49)']) {
    assert.ok(isBackupFolderName(name), name);
  }
  for (const name of [
    'backup-2016-01-29-(10:33-49)',
    'backup-2016-01-29-(10-33:49)',
    'backup-2016-01-29-(10.33.49)',
    'backup-2016-01-29-(10_33_49)',
    'backup-2016-01-29-(103349)',
    'backup-2016-01-29',
    'backup-2016-01-29-(10-33-49) ',
    'Backup-2016-01-29-(10-33-49)',
  ]) {
    assert.equal(isBackupFolderName(name), false, name);
  }
});

// Raw names order the forms wrongly within one hour: '-' sorts before ':', so 10:30 in the
// Windows form sorts before 10:15 in the original's form.
const posixAt = (hh: number, mm: number, ok = true) => ({ name: named(hh, mm, ':'), successful: ok });
const windowsAt = (hh: number, mm: number, ok = true) => ({ name: named(hh, mm, '-'), successful: ok });
function named(hh: number, mm: number, separator: string): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `backup-2024-03-07-(${p(hh)}${separator}${p(mm)}${separator}00)`;
}

test('compareBackupFolders: by the date the name holds, never by the raw name across the two forms', () => {
  const names = [windowsAt(10, 30), posixAt(10, 15), posixAt(9, 59), windowsAt(10, 45), posixAt(11, 0)].map(
    (f) => f.name,
  );
  assert.ok(named(10, 30, '-') < named(10, 15, ':'), 'the raw names sort the other way');
  assert.deepEqual([...names].sort(compareBackupFolders), [
    named(9, 59, ':'),
    named(10, 15, ':'),
    named(10, 30, '-'),
    named(10, 45, '-'),
    named(11, 0, ':'),
  ]);
  // The same second in both forms: one order, whichever way the comparison is asked.
  assert.equal(Math.sign(compareBackupFolders(named(10, 0, ':'), named(10, 0, '-'))), 1);
  assert.equal(Math.sign(compareBackupFolders(named(10, 0, '-'), named(10, 0, ':'))), -1);
});

test('retention with both forms in one VM folder deletes the oldest by date, never the newest good one', () => {
  // Newest by date: the Windows-form 10:30 (good); by raw name the POSIX-form 10:15 looks newest.
  const folders = [posixAt(9, 0), posixAt(10, 15), windowsAt(10, 30), windowsAt(8, 0)];
  assert.deepEqual(foldersToDelete(folders, 2), [named(8, 0, '-'), named(9, 0, ':')]);
  assert.deepEqual(foldersToDelete(folders, 1), [named(8, 0, '-'), named(9, 0, ':'), named(10, 15, ':')]);
  // Failed folders go first (oldest first), the newest good backup never.
  const failing = [posixAt(10, 15), windowsAt(10, 30), posixAt(10, 40, false), windowsAt(10, 20, false)];
  assert.deepEqual(foldersToDelete(failing, 1), [named(10, 20, '-'), named(10, 40, ':'), named(10, 15, ':')]);
  // The folder this run made is never deleted and counts as the newest.
  assert.deepEqual(foldersToDelete([windowsAt(10, 30), posixAt(10, 15)], 1, named(10, 15, ':')), [named(10, 30, '-')]);
});

test('the last-failed rule looks at the newest folder by date across both forms', () => {
  // By raw name the good POSIX-form 10:15 would be "newest" and the failed 10:30 would stay.
  assert.equal(lastFailedFolder([posixAt(10, 15), windowsAt(10, 30, false)]), named(10, 30, '-'));
  assert.equal(lastFailedFolder([posixAt(10, 15, false), windowsAt(10, 30)]), undefined);
  assert.equal(lastFailedFolder([windowsAt(10, 15), posixAt(10, 30, false)]), named(10, 30, ':'));
});

test('windowsNameReason: every name a Windows file name cannot be is refused, naming the VM and why', () => {
  for (const { name, reason } of windowsHostileNames()) {
    const why = windowsNameReason(name);
    assert.match(why ?? '', reason, JSON.stringify(name));
    assert.ok(why?.includes(`'${name}'`), `the message names the VM: ${why}`);
  }
  for (const name of windowsGoodNames) assert.equal(windowsNameReason(name), undefined, JSON.stringify(name));
});

test('unsafeFolderReason: the Windows rules on a Windows target only; POSIX targets keep their names', () => {
  for (const { name, reason } of windowsHostileNames()) {
    assert.match(unsafeFolderReason(name, 'windows') ?? '', reason, JSON.stringify(name));
  }
  for (const name of ['a:b', 'CON', 'con.txt', '*', 'what?', 'back\\slash', 'trailing dot.', 'tab\there']) {
    assert.equal(unsafeFolderReason(name, 'posix'), undefined, JSON.stringify(name));
    assert.equal(unsafeFolderReason(name), undefined, JSON.stringify(name));
  }
  for (const name of windowsGoodNames) assert.equal(unsafeFolderReason(name, 'windows'), undefined, name);
  // Stricter, never looser: a name refused on POSIX is refused on Windows too.
  for (const name of [...hostileNames('/tmp/marker'), '', '.', '..', 'a/b', 'x\0y', 'a\nb', '.VMBACKUP.LOCK']) {
    if (unsafeFolderReason(name, 'posix') !== undefined) {
      assert.notEqual(unsafeFolderReason(name, 'windows'), undefined, JSON.stringify(name));
    }
  }
  assert.match(unsafeFolderReason('00vmbackupwritetest', 'windows') ?? '', /is reserved: vmbackup uses/);
});

test('hosts declare their rules: the local host by its (injected) platform, the xapi host as its local host', () => {
  const windows = createLocalHost({ platform: 'win32' });
  assert.equal(windows.nameRules, 'windows');
  assert.equal(pathsOf(windows), win32);
  const linux = createLocalHost({ platform: 'linux' });
  assert.equal(linux.nameRules, 'posix');
  assert.equal(pathsOf(linux), posix);
  const darwin = createLocalHost({ platform: 'darwin' });
  assert.equal(darwin.nameRules, 'posix');
  // Windows names on POSIX paths: a Linux machine writing to a Windows disk, and the tests' setup.
  const mixed = createLocalHost({ platform: 'linux', nameRules: 'windows' });
  assert.equal(mixed.nameRules, 'windows');
  assert.equal(pathsOf(mixed), posix);
  const xapi = (machine: { platform: NodeJS.Platform; nameRules?: 'posix' | 'windows' }) =>
    createXapiHost({ url: 'http://127.0.0.1:9/', password: 'x', allowUnauthorized: false, machine });
  assert.equal(xapi({ platform: 'win32' }).nameRules, 'windows');
  assert.equal(pathsOf(xapi({ platform: 'win32' })), win32);
  assert.equal(xapi({ platform: 'linux' }).nameRules, 'posix');
  assert.equal(pathsOf(xapi({ platform: 'linux', nameRules: 'windows' })), posix);
  // A host that declares nothing (every remote one) is POSIX.
  assert.equal(pathsOf({} as Host), posix);
});

test('on a win32 target the engine joins with path.win32: retention lists C:\\backups\\web01\\backup-…', async () => {
  const listed: string[] = [];
  const entry = (name: string, isDirectory: boolean) => ({ name, isDirectory, size: 0, mtimeMs: 0 });
  // The Windows local host's own rules, its file system replaced by a listing of fixed entries.
  const host: Host = {
    ...createLocalHost({ platform: 'win32' }),
    async list(path) {
      listed.push(path);
      if (path === 'C:\\backups\\web01') {
        return [entry(named(10, 15, ':'), true), entry(named(10, 30, '-'), true), entry('notes.txt', false)];
      }
      return path.endsWith('(10-30-00)') ? [entry('success', false), entry('web01.xva', false)] : [];
    },
  };
  const folders = await readBackupFolders(host, win32.join('C:\\backups', 'web01'));
  assert.deepEqual(listed, [
    'C:\\backups\\web01',
    'C:\\backups\\web01\\backup-2024-03-07-(10:15:00)',
    'C:\\backups\\web01\\backup-2024-03-07-(10-30-00)',
  ]);
  assert.deepEqual(folders, [posixAt(10, 15, false), windowsAt(10, 30)]);
  // `vmbackup list` and `verify` read the VM's name from the win32 path too.
  const good = win32.join('C:\\backups', 'web01', named(10, 30, '-'));
  const contents = await readFolder(host, good);
  assert.equal(contents.vm, 'web01');
  assert.equal(contents.exportFile?.name, 'web01.xva');
  const missing = await verifyFolder(host, 'C:\\backups\\db01\\backup-2024-03-07-(10-30-00)\\');
  assert.deepEqual([missing.vm, missing.result, missing.error], ['db01', 'error', 'no such folder']);
});

test('caseTwinOnWindows: another VM whose name differs only in case would share the folder on Windows', () => {
  const pool = ['web01', 'Web01', 'db01', 'DB-02', 'näme', 'NÄME', 'other'];
  assert.equal(caseTwinOnWindows('web01', pool), 'Web01');
  assert.equal(caseTwinOnWindows('Web01', pool), 'web01');
  assert.equal(caseTwinOnWindows('db-02', ['DB-02']), 'DB-02');
  assert.equal(caseTwinOnWindows('näme', pool), 'NÄME');
  for (const name of ['db01', 'DB-02', 'other', 'absent']) assert.equal(caseTwinOnWindows(name, pool), undefined, name);
  // The same name twice (duplicates are refused elsewhere) is not a case twin.
  assert.equal(caseTwinOnWindows('db01', ['db01', 'db01']), undefined);
});
