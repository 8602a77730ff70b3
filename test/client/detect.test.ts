// Content detection of VmBackup configs among other `.cfg` files, and the
// files.associations check that keeps detection away from files the user assigned.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectVmBackupConfig, isCfgPath, isClearlyVmBackupConfig, userAssociation } from '../../client/src/detect';

test('a typical VmBackup config is detected', () => {
  const text =
    '# weekend backups\nmax_backups=4\nbackup_dir=/snapshots/BACKUPS\n' +
    'exclude=PROD-ubuntu12-benchmark\nvm-export=PROD.*\nvm-export=DEV-RH.*:3\n';
  assert.equal(isClearlyVmBackupConfig(text), true);
});

test('one characteristic line is enough; extension keys and CRLF are fine', () => {
  assert.equal(isClearlyVmBackupConfig('vdi-export=big-disk-vm\r\n'), true);
  assert.equal(isClearlyVmBackupConfig('compress=gzip\r\nmail_to=ops@example.com\r\nmax_backups=2\r\n'), true);
});

test('a Python setup.cfg is not a VmBackup config', () => {
  const text = '[metadata]\nname = example\nversion = 1.0\n\n[options]\npackages = find:\n';
  assert.equal(isClearlyVmBackupConfig(text), false);
});

test('an ini-style file that happens to use a VmBackup key is not taken', () => {
  assert.equal(isClearlyVmBackupConfig('[backup]\nmax_backups=4\n'), false);
  assert.equal(isClearlyVmBackupConfig('max_backups=4\nretries=3\n'), false);
});

test('only settings without a selection, exclude or max_backups line is not enough', () => {
  assert.equal(isClearlyVmBackupConfig('backup_dir=/srv/backups\nstatus_log=/var/log/x.log\n'), false);
});

test('empty and comment-only files are not taken', () => {
  assert.equal(isClearlyVmBackupConfig(''), false);
  assert.equal(isClearlyVmBackupConfig('# vm-export=PROD.*\n\n'), false);
});

test('near-miss keys count as VmBackup keys: the files that most need checking are detected', () => {
  // The runner's own "did you mean" decides (runner/src/config/suggest.ts): one rule for both.
  const typo = detectVmBackupConfig('max_backup=3\nbackup_dir=/srv/backups\nvm-export=PROD-.*\n');
  assert.equal(typo.verdict, 'clear');
  assert.deepEqual(typo.nearMisses, [{ line: 1, key: 'max_backup', suggestion: 'max_backups' }]);
  assert.equal(isClearlyVmBackupConfig('max_backup=3\n'), true);
  // Keys are case-sensitive in VmBackup.py, so VM-EXPORT is wrong there: detected to show it.
  assert.deepEqual(detectVmBackupConfig('VM-EXPORT=PROD.*\n').nearMisses, [
    { line: 1, key: 'VM-EXPORT', suggestion: 'vm-export' },
  ]);
});

test('a .cfg that only looks close is "close" (offered, not switched); strangers stay "no"', () => {
  assert.equal(detectVmBackupConfig('[jobs]\nmax_backup=3\nbackup_dir=/srv\nvm-export=A\n').verdict, 'close');
  assert.equal(detectVmBackupConfig('max_backups=2\nvm-export=A\nretries=3\n').verdict, 'close');
  // A setup.cfg with an `exclude` line, a Kodi-style file, a lone VmBackup key among others.
  assert.equal(detectVmBackupConfig('[options.packages.find]\nexclude = tests\n').verdict, 'no');
  assert.equal(detectVmBackupConfig('name=a\nexclude=b\nversion=1\nmaintainer=x\n').verdict, 'no');
  assert.equal(detectVmBackupConfig('[backup]\nmax_backups=4\n').verdict, 'no');
  assert.equal(
    detectVmBackupConfig('[metadata]\nname = example\nversion = 1.0\n\n[options]\npackages = find:\n').verdict,
    'no',
  );
});

test('the well-formed project examples (from the original README) are detected', () => {
  const examples = join(import.meta.dirname, '..', '..', 'examples');
  for (const name of ['weekend.cfg', 'example.cfg', 'demo.cfg']) {
    assert.equal(isClearlyVmBackupConfig(readFileSync(join(examples, name), 'utf8')), true, name);
  }
});

test('isCfgPath ignores case', () => {
  assert.equal(isCfgPath('/etc/vmbackup/Weekly.CFG'), true);
  assert.equal(isCfgPath('/etc/vmbackup/weekly.cfg.bak'), false);
});

test('files.associations patterns are matched like VS Code does', () => {
  assert.equal(userAssociation('/srv/app/setup.cfg', { 'setup.cfg': 'properties' }), 'properties');
  assert.equal(userAssociation('/srv/app/setup.cfg', { '*.cfg': 'ini' }), 'ini');
  assert.equal(userAssociation('/etc/vmbackup/weekly.cfg', { '/etc/vmbackup/*.cfg': 'vmbackup' }), 'vmbackup');
  assert.equal(userAssociation('/etc/other/weekly.cfg', { '/etc/vmbackup/*.cfg': 'vmbackup' }), undefined);
  assert.equal(userAssociation('/home/a/Configs/Weekly.cfg', { '**/configs/*.cfg': 'properties' }), 'properties');
  assert.equal(userAssociation('C:\\backup\\weekly.cfg', { '**/backup/*.cfg': 'properties' }), 'properties');
  assert.equal(userAssociation('/srv/app/setup.cfg', undefined), undefined);
  assert.equal(userAssociation('/srv/app/setup.cfg', { '*.py': 'python' }), undefined);
});
