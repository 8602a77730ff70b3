import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, CliError, type ParseContext, type RunCommand } from '../../runner/src/cli/args';

const noEnv = { passwordInEnvironment: false };
const withEnv = { passwordInEnvironment: true };

function run(argv: string[], ctx: ParseContext = noEnv): RunCommand {
  const cmd = parseArgs(argv, ctx);
  assert.equal(cmd.kind, 'run');
  return cmd as RunCommand;
}

test('usage words anywhere print that usage', () => {
  assert.deepEqual(parseArgs(['pw', 'help'], noEnv), { kind: 'usage', topic: 'help' });
  assert.deepEqual(parseArgs(['config'], noEnv), { kind: 'usage', topic: 'config' });
  assert.deepEqual(parseArgs(['pw', 'x.cfg', 'example'], noEnv), { kind: 'usage', topic: 'example' });
  assert.deepEqual(parseArgs([], noEnv), { kind: 'usage', topic: 'basic' });
  assert.deepEqual(parseArgs(['pw'], noEnv), { kind: 'usage', topic: 'basic' });
});

test('original positional form with optional words (case-insensitive keys)', () => {
  const cmd = run(['secret', 'weekend.cfg', 'PREVIEW', 'Compress=TRUE', 'ignore_extra_keys=true', 'pre_clean=True']);
  assert.deepEqual(cmd.password, { kind: 'argument', value: 'secret' });
  assert.equal(cmd.target, 'weekend.cfg');
  assert.equal(cmd.preview, true);
  assert.equal(cmd.compress, 'gzip');
  assert.equal(cmd.ignoreExtraKeys, true);
  assert.equal(cmd.preClean, true);
});

test('a password literally named list or verify: the positional form after `--` (docs/cli.md)', () => {
  const cmd = run(['--', 'list', 'weekend.cfg', 'preview']);
  assert.deepEqual(cmd.password, { kind: 'argument', value: 'list' });
  assert.equal(cmd.target, 'weekend.cfg');
  assert.equal(run(['--password-env', 'PW', '--', 'verify']).target, 'verify');
});

test('values other than true are false, as in the original', () => {
  const cmd = run(['pw', 'vm1', 'ignore_extra_keys=yes', 'pre_clean=1', 'compress=no']);
  assert.equal(cmd.ignoreExtraKeys, false);
  assert.equal(cmd.preClean, false);
  assert.equal(cmd.compress, 'none');
  assert.equal(cmd.notes.length, 1);
  assert.equal(run(['pw', 'vm1', 'compress=zstd']).compress, 'zstd');
  assert.equal(run(['pw', 'vm1']).compress, undefined);
});

test('an unknown word is an error naming it', () => {
  assert.throws(
    () => parseArgs(['pw', 'vm1', 'previwe'], noEnv),
    (e: unknown) => e instanceof CliError && e.argument === 'previwe' && /invalid parm: previwe/.test(e.message),
  );
  assert.throws(
    () => parseArgs(['pw', 'vm1', '--nope'], noEnv),
    (e: unknown) => e instanceof CliError && e.argument === '--nope',
  );
});

test('vm-selector targets keep their text', () => {
  assert.equal(run(['pw', 'vdi-export=DEV-mySql']).target, 'vdi-export=DEV-mySql');
  assert.equal(run(['pw', 'DEV mySql', 'preview']).target, 'DEV mySql');
});

test('password from the environment lets the password positional go', () => {
  const cmd = run(['weekend.cfg', 'preview'], withEnv);
  assert.deepEqual(cmd.password, { kind: 'env', name: 'VMBACKUP_PASSWORD' });
  assert.equal(cmd.target, 'weekend.cfg');
  assert.equal(cmd.preview, true);
  const single = run(['weekend.cfg'], withEnv);
  assert.equal(single.target, 'weekend.cfg');
  // Two real positionals: the first is still the password (compatibility).
  const both = run(['/root/pass', 'weekend.cfg'], withEnv);
  assert.deepEqual(both.password, { kind: 'argument', value: '/root/pass' });
  const flag = run(['--password-env', 'MY_PW', 'weekend.cfg', 'preview']);
  assert.deepEqual(flag.password, { kind: 'env', name: 'MY_PW' });
  assert.deepEqual(run(['--password-stdin', 'x.cfg']).password, { kind: 'stdin' });
});

test('modern flags', () => {
  const cmd = run([
    '--ssh',
    'root@pool1:2222',
    '--xe=/usr/bin/xe',
    '--xapi',
    'https://pool1/',
    '--json',
    '--concurrency',
    '4',
    '--dry-run',
    'pw',
    'x.cfg',
  ]);
  assert.deepEqual(cmd.transport, {
    kind: 'ssh',
    ssh: { user: 'root', host: 'pool1', port: 2222 },
    xe: '/usr/bin/xe',
    xapi: 'https://pool1/',
  });
  assert.equal(cmd.json, true);
  assert.equal(cmd.concurrency, 4);
  assert.equal(cmd.dryRun, true);
  assert.deepEqual(parseArgs(['--help'], noEnv), { kind: 'modern-help' });
  assert.deepEqual(parseArgs(['--version'], noEnv), { kind: 'version' });
});

test('--xapi-fingerprint and VMBACKUP_XAPI_FINGERPRINT pin the pool certificate (normalised; the flag wins)', () => {
  const hex = '0123456789ABCDEF'.repeat(4);
  const colons = hex.match(/../g)!.join(':');
  assert.equal(run(['--xapi-fingerprint', colons.toLowerCase(), 'pw', 'x.cfg']).transport.xapiFingerprint, hex);
  assert.equal(run(['--xapi-fingerprint=sha256:' + colons, 'pw', 'x.cfg']).transport.xapiFingerprint, hex);
  assert.equal(
    run(['pw', 'x.cfg'], { ...noEnv, xapiFingerprintInEnvironment: hex.toLowerCase() }).transport.xapiFingerprint,
    hex,
  );
  const other = 'F'.repeat(64);
  assert.equal(
    run(['--xapi-fingerprint', other, 'pw', 'x.cfg'], { ...noEnv, xapiFingerprintInEnvironment: hex }).transport
      .xapiFingerprint,
    other,
  );
  assert.equal(run(['pw', 'x.cfg']).transport.xapiFingerprint, undefined);
  assert.throws(
    () => parseArgs(['--xapi-fingerprint', 'ABCD', 'pw', 'x.cfg'], noEnv),
    (e: unknown) =>
      e instanceof CliError &&
      e.argument === '--xapi-fingerprint=ABCD' &&
      /sha256 fingerprint \(64 hex digits/.test(e.message),
  );
  assert.throws(
    () => parseArgs(['pw', 'x.cfg'], { ...noEnv, xapiFingerprintInEnvironment: 'xyz' }),
    (e: unknown) => e instanceof CliError && e.argument === 'VMBACKUP_XAPI_FINGERPRINT=xyz',
  );
  for (const ctx of [noEnv, { ...noEnv, xapiFingerprintInEnvironment: hex }]) {
    const argv =
      ctx === noEnv
        ? ['--xapi-fingerprint', hex, '--xapi-insecure', 'pw', 'x.cfg']
        : ['--xapi-insecure', 'pw', 'x.cfg'];
    assert.throws(
      () => parseArgs(argv, ctx),
      (e: unknown) => e instanceof CliError && e.argument === '--xapi-insecure' && /cannot be combined/.test(e.message),
    );
  }
});

test('--busy-wait takes whole seconds (0 = no retry) and names a bad value', () => {
  assert.equal(run(['--busy-wait', '30', 'pw', 'x.cfg']).busyWaitSeconds, 30);
  assert.equal(run(['--busy-wait=0', 'pw', 'x.cfg']).busyWaitSeconds, 0);
  assert.equal(run(['pw', 'x.cfg']).busyWaitSeconds, undefined);
  for (const value of ['-1', '1.5', 'soon', '86401']) {
    assert.throws(
      () => parseArgs([`--busy-wait=${value}`, 'pw', 'x.cfg'], noEnv),
      (e: unknown) =>
        e instanceof CliError &&
        e.argument === `--busy-wait=${value}` &&
        /whole number of seconds from 0 to 86400/.test(e.message),
    );
  }
});

test('bad flag values name the argument', () => {
  for (const argv of [
    ['--concurrency', '0', 'pw', 'x'],
    ['--concurrency=abc', 'pw', 'x'],
    ['--ssh', 'pool1', 'pw', 'x'],
    ['--ssh=root@h:99999', 'pw', 'x'],
    ['--xapi', 'ftp://x', 'pw', 'x'],
    ['--concurrency'],
    ['--json=1', 'pw', 'x'],
  ]) {
    assert.throws(
      () => parseArgs(argv, noEnv),
      (e: unknown) => e instanceof CliError && e.message.length > 0,
      argv.join(' '),
    );
  }
});

test('create-password-file', () => {
  assert.deepEqual(parseArgs(['pw', 'create-password-file=/tmp/p'], noEnv), {
    kind: 'create-password-file',
    password: { kind: 'argument', value: 'pw' },
    path: '/tmp/p',
  });
  assert.deepEqual(parseArgs(['create-password-file=/tmp/p'], withEnv), {
    kind: 'create-password-file',
    password: { kind: 'env', name: 'VMBACKUP_PASSWORD' },
    path: '/tmp/p',
  });
});

test('--regex-budget-ms and --silence-timeout: whole numbers, errors name the argument', () => {
  const cmd = run(['--regex-budget-ms', '250', '--silence-timeout=7', 'pw', 'x']);
  assert.deepEqual([cmd.regexBudgetMs, cmd.silenceTimeoutMs], [250, 7000]);
  const plain = run(['pw', 'x']);
  assert.deepEqual([plain.regexBudgetMs, plain.silenceTimeoutMs], [undefined, undefined]);
  for (const [argv, text] of [
    [['--regex-budget-ms', '0', 'pw', 'x'], '--regex-budget-ms=0: needs a whole number of milliseconds >= 1'],
    [['--regex-budget-ms=1.5', 'pw', 'x'], '--regex-budget-ms=1.5: needs a whole number of milliseconds >= 1'],
    [['--silence-timeout', '-1', 'pw', 'x'], '--silence-timeout=-1: needs a whole number of seconds >= 1'],
    [['--silence-timeout=abc', 'pw', 'x'], '--silence-timeout=abc: needs a whole number of seconds >= 1'],
  ] as const) {
    assert.throws(
      () => parseArgs(argv, noEnv),
      (e: unknown) => e instanceof CliError && e.message === text,
      argv.join(' '),
    );
  }
});

test('--ssh-no-multiplex: a connection per ssh command; only with --ssh, takes no value', () => {
  const cmd = run(['--ssh', 'root@pool1', '--ssh-no-multiplex', 'pw', 'x.cfg']);
  assert.deepEqual(cmd.transport, { kind: 'ssh', ssh: { user: 'root', host: 'pool1' }, sshNoMultiplex: true });
  assert.equal(run(['--ssh', 'root@pool1', 'pw', 'x.cfg']).transport.sshNoMultiplex, undefined);
  assert.throws(
    () => parseArgs(['--ssh-no-multiplex', 'pw', 'x.cfg'], noEnv),
    (e: unknown) => e instanceof CliError && e.argument === '--ssh-no-multiplex' && /needs --ssh/.test(e.message),
  );
  assert.throws(
    () => parseArgs(['--ssh', 'root@pool1', '--ssh-no-multiplex=yes', 'pw', 'x.cfg'], noEnv),
    (e: unknown) => e instanceof CliError && /takes no value/.test(e.message),
  );
});
