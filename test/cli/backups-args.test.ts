import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backupsSubcommandAt, parseBackupsArgs } from '../../runner/src/cli/backups';
import { CliError } from '../../runner/src/cli/args';

test('list / verify are found as the first word that is not an option or its value', () => {
  assert.equal(backupsSubcommandAt(['list']), 0);
  assert.equal(backupsSubcommandAt(['verify', 'a']), 0);
  assert.equal(backupsSubcommandAt(['--ssh', 'root@h', 'list', '/b']), 2);
  assert.equal(backupsSubcommandAt(['--ssh=root@h', '--json', 'verify', '/b/x']), 2);
  // The original's positional form: the password or the vm-selector comes first.
  assert.equal(backupsSubcommandAt(['secret', 'list']), -1);
  assert.equal(backupsSubcommandAt(['secret', 'weekend.cfg']), -1);
  // A password or vm-selector literally named list/verify: after `--` (docs/cli.md).
  assert.equal(backupsSubcommandAt(['--', 'list', 'weekend.cfg']), -1);
  assert.equal(backupsSubcommandAt(['--password-env', 'PW', '--', 'verify']), -1);
});

test('list: one CONFIG or BACKUP_DIR, --json, --verify, pre_clean=, the ssh transport; no password', () => {
  assert.deepEqual(parseBackupsArgs(['list']), {
    kind: 'list',
    targets: [],
    json: false,
    verify: false,
    preClean: false,
    dryRun: false,
    transport: {},
  });
  assert.deepEqual(
    parseBackupsArgs([
      '--json',
      'list',
      'weekend.cfg',
      '--verify',
      'pre_clean=True',
      '--ssh',
      'root@xcp:2222',
      '--ssh-config=cfg',
    ]),
    {
      kind: 'list',
      targets: ['weekend.cfg'],
      json: true,
      verify: true,
      preClean: true,
      dryRun: false,
      transport: { ssh: { user: 'root', host: 'xcp', port: 2222 }, sshConfig: 'cfg' },
    },
  );
  // After the subcommand the original's usage words are plain arguments.
  assert.deepEqual(parseBackupsArgs(['list', 'config']).targets, ['config']);
  assert.throws(() => parseBackupsArgs(['list', 'a', 'b']), /vmbackup list takes one CONFIG or BACKUP_DIR/);
  assert.throws(() => parseBackupsArgs(['list', '--password-stdin']), /does not take --password-stdin/);
  assert.throws(() => parseBackupsArgs(['list', '--ssh-config', 'c']), /--ssh-config needs --ssh/);
  assert.equal(parseBackupsArgs(['list', '--ssh', 'root@h', '--ssh-no-multiplex']).transport.sshNoMultiplex, true);
  assert.throws(() => parseBackupsArgs(['list', '--ssh-no-multiplex']), /--ssh-no-multiplex needs --ssh/);
  assert.throws(() => parseBackupsArgs(['list', '--ssh', 'nohost']), CliError);
  assert.throws(() => parseBackupsArgs(['list', '--json=1']), /--json takes no value/);
});

test('verify: one or more folders, --json, the ssh transport; --verify is list-only', () => {
  const command = parseBackupsArgs(['verify', '/b/vm/backup-1', '--json', '/b/vm/backup-2']);
  assert.deepEqual(command.targets, ['/b/vm/backup-1', '/b/vm/backup-2']);
  assert.equal(command.json, true);
  assert.deepEqual(parseBackupsArgs(['verify', '--', '--odd-folder']).targets, ['--odd-folder']);
  assert.throws(() => parseBackupsArgs(['verify']), /needs at least one BACKUP_FOLDER/);
  assert.throws(() => parseBackupsArgs(['verify', 'x', '--verify']), /vmbackup verify does not take --verify/);
});

test('delete: folders, --json, --dry-run, --backup-dir, the ssh transport; flags of the others refused', () => {
  assert.equal(backupsSubcommandAt(['--ssh', 'root@h', 'delete', '/b/vm/backup-1']), 2);
  assert.equal(backupsSubcommandAt(['--', 'delete', 'weekend.cfg']), -1);
  const command = parseBackupsArgs(['delete', '--dry-run', '--backup-dir', '/b', '--json', '--', '/b/vm/--x']);
  assert.deepEqual(
    [command.kind, command.dryRun, command.backupDir, command.json, command.targets],
    ['delete', true, '/b', true, ['/b/vm/--x']],
  );
  assert.throws(() => parseBackupsArgs(['delete']), /vmbackup delete needs at least one BACKUP_FOLDER/);
  assert.throws(() => parseBackupsArgs(['delete', 'x', '--verify']), /vmbackup delete does not take --verify/);
  assert.throws(() => parseBackupsArgs(['list', '--dry-run']), /vmbackup list does not take --dry-run/);
  assert.throws(() => parseBackupsArgs(['verify', 'x', '--backup-dir', '/b']), /does not take --backup-dir/);
});

test("list, verify, delete take a run's --transport and --xapi options and read files only", () => {
  const xapi = parseBackupsArgs(['list', '--transport', 'xapi', '--xapi', 'https://pool/', '--xapi-insecure', '/b']);
  assert.deepEqual([xapi.targets, xapi.transport], [['/b'], {}]);
  assert.deepEqual(parseBackupsArgs(['verify', '--transport=xe', '--xapi-fingerprint=AA', 'f']).transport, {});
  assert.throws(() => parseBackupsArgs(['list', '--transport', 'nfs']), /expected xe, ssh or xapi/);
  assert.throws(() => parseBackupsArgs(['list', '--transport', 'ssh']), /--transport ssh needs --ssh/);
  assert.throws(() => parseBackupsArgs(['list', '--transport=xapi', '--ssh', 'root@h']), /cannot be combined/);
  assert.throws(() => parseBackupsArgs(['list', '--xapi-insecure=1']), /takes no value/);
});
