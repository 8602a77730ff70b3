// Effective settings (defaults from vmbackup-behaviour.md §2) and CLI formatting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatDiagnostic,
  getKeySpec,
  KEY_SCHEMA,
  CLI_OPTIONS,
  ORIGINAL_KEYS,
  parseConfig,
  resolveSettings,
  validateConfig,
} from '../../runner/src/config';

test('defaults when the file sets nothing', () => {
  const s = resolveSettings(parseConfig('# nothing\n'));
  assert.equal(s.backupDir, '/snapshots/BACKUPS');
  assert.equal(s.statusLog, '/snapshots/NAUbackup/status.log');
  assert.equal(s.maxBackups, 4);
  assert.equal(s.poolDbBackup, 0);
  assert.equal(s.vdiExportFormat, 'raw');
  assert.equal(s.compress, 'none');
  assert.equal(s.smtpStarttls, false);
  assert.equal(s.mailTo, undefined);
  assert.deepEqual(s.origins, {});
});

test('values and the line that set them', () => {
  const s = resolveSettings(
    parseConfig(
      'max_backups= 7\nbackup_dir=/b\nstatus_log=/s.log\npool_db_backup=1\nvdi_export_format=vhd\ncompress=true\n' +
        'mail_to=a@b.c\nsmtp_server=[::1]:2525\nsmtp_starttls=1\nsmtp_user=u\nsmtp_password_file=/p\n' +
        'report_file=/r.json\nmail_from=f@b.c',
    ),
  );
  assert.equal(s.maxBackups, 7);
  assert.equal(s.backupDir, '/b');
  assert.equal(s.statusLog, '/s.log');
  assert.equal(s.poolDbBackup, 1);
  assert.equal(s.vdiExportFormat, 'vhd');
  assert.equal(s.compress, 'gzip');
  assert.equal(s.mailTo, 'a@b.c');
  assert.equal(s.mailFrom, 'f@b.c');
  assert.equal(s.smtpHost, '::1');
  assert.equal(s.smtpPort, 2525);
  assert.equal(s.smtpStarttls, true);
  assert.equal(s.smtpUser, 'u');
  assert.equal(s.smtpPasswordFile, '/p');
  assert.equal(s.reportFile, '/r.json');
  assert.equal(s.origins['max_backups']!.line, 0);
  assert.equal(s.origins['max_backups']!.raw, '7');
  assert.deepEqual(s.origins['max_backups']!.valueRange.start, { line: 0, character: 13 });
});

test('invalid value keeps the default and marks the origin invalid', () => {
  const s = resolveSettings(parseConfig('max_backups=zero\nvdi_export_format=qcow2'));
  assert.equal(s.maxBackups, 4);
  assert.equal(s.vdiExportFormat, 'raw');
  assert.equal(s.origins['max_backups']!.valid, false);
});

test('repeated key: the last line is the origin', () => {
  const s = resolveSettings(parseConfig('max_backups=2\nmax_backups=5'));
  assert.equal(s.maxBackups, 5);
  assert.equal(s.origins['max_backups']!.line, 1);
});

test('smtp_server without port uses 25; compress=zstd', () => {
  const s = resolveSettings(parseConfig('smtp_server=mail.example.com\ncompress=zstd'));
  assert.equal(s.smtpHost, 'mail.example.com');
  assert.equal(s.smtpPort, 25);
  assert.equal(s.compress, 'zstd');
});

test('formatDiagnostic prints 1-based file:line:col', () => {
  const d = validateConfig(parseConfig('# x\nmax_backups=0'))[0]!;
  assert.equal(formatDiagnostic('weekend.cfg', d), `weekend.cfg:2:13: error VMB007 ${d.message}`);
});

test('schema: every original key, metadata-export, the pinned extension keys', () => {
  assert.deepEqual([...ORIGINAL_KEYS].sort(), [
    'backup_dir',
    'exclude',
    'max_backups',
    'metadata-export',
    'pool_db_backup',
    'status_log',
    'vdi-export',
    'vdi_export_format',
    'vm-export',
  ]);
  const ext = KEY_SCHEMA.filter((k) => k.extension)
    .map((k) => k.key)
    .sort();
  assert.deepEqual(ext, [
    'compress',
    'mail_from',
    'mail_to',
    'report_file',
    'smtp_password_file',
    'smtp_server',
    'smtp_starttls',
    'smtp_user',
  ]);
  assert.equal(getKeySpec('max_backups')!.default, '4');
  assert.deepEqual(getKeySpec('vdi_export_format')!.allowed, ['raw', 'vhd']);
  assert.equal(getKeySpec('metadata-export')!.since, 'v3.2');
  assert.equal(getKeySpec('exclude')!.kind, 'exclude');
  assert.equal(getKeySpec('vm-export')!.kind, 'selection');
  assert.equal(getKeySpec('MAX_BACKUPS'), undefined);
  for (const spec of KEY_SCHEMA) {
    assert.ok(spec.doc.length > 20, spec.key);
    assert.equal(validateConfig(parseConfig(spec.example)).length, 0, `example of ${spec.key} is valid`);
  }
  assert.deepEqual(
    CLI_OPTIONS.map((o) => o.name),
    ['preview', 'compress', 'ignore_extra_keys', 'pre_clean'],
  );
});
