// Path and environment rules of a Windows workstation (issue 14), tested on Linux with the
// platform injected: remove() refuses drive and share roots and `..` components with either
// separator there, while on POSIX (every ssh target, and Linux/macOS runners) a backslash is
// part of a name; the password variable is kept from children whatever the case of its name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertRemovable } from '../../runner/src/host/paths';
import { createLocalHost } from '../../runner/src/host/local';
import { isHostError } from '../../runner/src/host/errors';
import { childEnvironment } from '../../runner/src/host/process';

const refused = (path: string, platform: NodeJS.Platform) =>
  assert.throws(
    () => assertRemovable(path, platform),
    (error) => isHostError(error, 'EINVAL') && error.message.includes(JSON.stringify(path)),
    `${platform}: ${path}`,
  );

test('win32: drive roots, share roots and `..` with either separator are refused; folders below are not', () => {
  for (const path of [
    'C:',
    'C:\\',
    'd:/',
    'C:\\backups\\web01\\..',
    'C:/backups/web01/..',
    'C:\\backups\\..\\Windows',
    'C:\\backups\\.',
    '\\\\filer\\vmbackup',
    '\\\\filer\\vmbackup\\',
    '//filer/vmbackup',
    '',
  ])
    refused(path, 'win32');
  for (const path of [
    'C:\\backups\\web01\\backup-2026-01-02-(01:30:00)',
    'D:/backups/web01',
    '\\\\filer\\vmbackup\\web01',
  ])
    assert.doesNotThrow(() => assertRemovable(path, 'win32'), path);
});

test('POSIX: a backslash is part of a name, so only `/` components count', () => {
  for (const path of ['/', '/backups/web01/..', '/backups/.', '']) refused(path, 'linux');
  for (const path of ['/backups/web01\\..', '/backups/C:\\']) assert.doesNotThrow(() => assertRemovable(path, 'linux'));
  // The default is POSIX: remote (ssh) paths follow it whatever the runner's platform.
  assert.doesNotThrow(() => assertRemovable('/backups/web01\\..'));
});

test('the local host applies the platform it is given to remove()', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vmbackup-win32-'));
  try {
    // A POSIX name that would be `..` on Windows: removable on Linux, refused under win32 rules.
    const odd = join(dir, 'web01\\..');
    mkdirSync(odd);
    writeFileSync(join(odd, 'keep'), 'x');
    const windows = createLocalHost({ platform: 'win32' });
    await assert.rejects(windows.remove(odd), (error) => isHostError(error, 'EINVAL'));
    await assert.rejects(windows.remove('C:\\'), (error) => isHostError(error, 'EINVAL'));
    assert.ok(existsSync(join(odd, 'keep')));
    await createLocalHost({ platform: 'linux' }).remove(odd);
    assert.equal(existsSync(odd), false);
    // stat() names an entry by its last component under the host's rules.
    const file = join(dir, 'logs\\status.log');
    writeFileSync(file, '');
    assert.equal((await windows.stat(file))?.name, 'status.log');
    assert.equal((await createLocalHost({ platform: 'linux' }).stat(file))?.name, 'logs\\status.log');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('children never inherit the password variable; on Windows whatever the case of its name', () => {
  const env = { VMBACKUP_PASSWORD: 'a', vmbackup_password: 'b', Vmbackup_Password: 'c', Path: 'C:\\Windows' };
  const windows = childEnvironment({}, { env, platform: 'win32' });
  assert.deepEqual(windows, { Path: 'C:\\Windows' });
  // Elsewhere names are case-sensitive: only the exact name is the secret.
  const linux = childEnvironment({}, { env, platform: 'linux' });
  assert.deepEqual(Object.keys(linux).sort(), ['Path', 'Vmbackup_Password', 'vmbackup_password']);
});
