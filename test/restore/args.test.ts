// `vmbackup restore|healthcheck ...` parsing (runner/src/restore/args.ts): the verb as the first
// word that is not an option, the run's password and transport flags, clear errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CliError, parseArgs } from '../../runner/src/cli/args';
import { parseRestoreArgs, restoreVerb } from '../../runner/src/restore/args';

const env = { passwordInEnvironment: true };

test('the verb is the first word that is not an option; after -- it is a positional as in a run', () => {
  assert.equal(restoreVerb(['restore', 'f']), 'restore');
  assert.equal(restoreVerb(['--ssh', 'root@h', '--json', 'healthcheck', 'f']), 'healthcheck');
  assert.equal(restoreVerb(['--ssh=root@h', 'restore', 'f']), 'restore');
  assert.equal(restoreVerb(['secret', 'restore']), undefined);
  // A password literally named `restore` in the original's positional form: `--` first.
  assert.equal(restoreVerb(['--', 'restore', 'weekend.cfg']), undefined);
  const run = parseArgs(['--', 'restore', 'weekend.cfg'], { passwordInEnvironment: false });
  assert.equal(run.kind, 'run');
  assert.deepEqual(run.kind === 'run' && run.password, { kind: 'argument', value: 'restore' });
  const selector = parseArgs(['--', 'restore'], { passwordInEnvironment: true });
  assert.deepEqual(selector.kind === 'run' && [selector.password.kind, selector.target], ['env', 'restore']);
});

test('restore flags, and the run password/transport flags parsed by the run parser', () => {
  const c = parseRestoreArgs(
    ['restore', '/b/web01/backup-x', '--name', 'new web', '--sr', 'Local storage', '--preserve', '--start'].concat([
      '--ssh',
      'root@pool:2222',
      '--ssh-config',
      'config',
      '--dry-run',
      '--json',
    ]),
    env,
  );
  assert.equal(c.folder, '/b/web01/backup-x');
  assert.equal(c.name, 'new web');
  assert.equal(c.sr, 'Local storage');
  assert.deepEqual(
    [c.preserve, c.start, c.dryRun, c.json, c.diskOnly, c.force],
    [true, true, true, true, false, false],
  );
  assert.deepEqual(c.transport.ssh, { user: 'root', host: 'pool', port: 2222 });
  assert.equal(c.transport.sshConfig, 'config');
  assert.deepEqual(c.password, { kind: 'env', name: 'VMBACKUP_PASSWORD' });
  const withFile = parseRestoreArgs(['restore', '/root/pass', 'folder'], env);
  assert.deepEqual([withFile.password, withFile.folder], [{ kind: 'argument', value: '/root/pass' }, 'folder']);
});

test('clear errors: no folder, no password, run-only flags, healthcheck-only flags, line breaks', () => {
  const fails = (argv: string[], pattern: RegExp, context = env) =>
    assert.throws(
      () => parseRestoreArgs(argv, context),
      (e: unknown) => e instanceof CliError && pattern.test(e.message),
    );
  fails(['restore'], /usage: vmbackup restore/);
  fails(['restore', 'f'], /no password: set VMBACKUP_PASSWORD/, { passwordInEnvironment: false });
  fails(['restore', 'f', '--concurrency', '2'], /--concurrency is an option of a backup run, not of restore/);
  fails(['healthcheck', 'f', '--name', 'x'], /--name is not an option of healthcheck/);
  fails(['restore', 'f', '--boot-timeout', '5'], /--boot-timeout \(healthcheck only\)/);
  fails(['restore', 'f', '--name', 'a\nb'], /contains a line break/);
  fails(['restore', 'f', '--name', ' '], /cannot be empty/);
  fails(['restore', 'f', '--bogus'], /unknown option --bogus/);
  // Agentless restore (test/restore/xapi.test.ts): the xapi transport is taken as for a run.
  const agentless = parseRestoreArgs(['restore', 'f', '--transport', 'xapi', '--xapi', 'https://pool/'], env);
  assert.deepEqual([agentless.transport.kind, agentless.transport.xapi], ['xapi', 'https://pool/']);
  assert.equal(parseRestoreArgs(['healthcheck', 'f', '--boot-timeout', '30'], env).bootTimeoutSeconds, 30);
  assert.equal(parseRestoreArgs(['restore', '--help'], { passwordInEnvironment: false }).help, true);
});
