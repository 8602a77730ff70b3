// The command line in-process: usage texts, --help/--version, password sources, bad input
// (a clear message naming the argument, exit 2, never a stack trace).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { readFileSync, statSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../runner/src/cli/main';

async function cli(argv: string[], env: NodeJS.ProcessEnv = {}, stdin = '') {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  const code = await main(argv, { stdout, stderr, stdin: Readable.from([stdin]), env }, new AbortController().signal);
  return { code, out, err };
}

test('usage texts exit 1 as the original; --help and --version exit 0', async () => {
  const basic = await cli([]);
  assert.equal(basic.code, 1);
  assert.match(basic.out, /^Usage:\nvmbackup {2}<password\|password-file> <config-file\|vm-selector> \[preview\]/);
  const help = await cli(['x', 'help']);
  assert.equal(help.code, 1);
  assert.match(help.out, /^Usage-help:/);
  assert.match(help.out, /create-password-file=filename/);
  assert.match((await cli(['config'])).out, /^Usage-config-file:\n\n# Example config file for VmBackup/);
  assert.match((await cli(['example'])).out, /vmbackup password vdi-export=DEV-mySql/);
  const modern = await cli(['--help']);
  assert.equal(modern.code, 0);
  for (const flag of [
    '--ssh',
    '--xe',
    '--xapi',
    '--xapi-fingerprint',
    'VMBACKUP_XAPI_FINGERPRINT',
    '--password-env',
    '--password-stdin',
    '--json',
    '--concurrency',
    '--dry-run',
  ]) {
    assert.ok(modern.out.includes(flag), flag);
  }
  const version = await cli(['--version']);
  assert.equal(version.code, 0);
  assert.match(version.out, /^vmbackup \d+\.\d+\.\d+/);
});

test('bad arguments: one line naming the argument, exit 2, no stack trace', async () => {
  for (const [argv, named] of [
    [['pw', 'x.cfg', 'previwe'], 'previwe'],
    [['--concurrency', 'many', 'pw', 'x.cfg'], '--concurrency'],
    [['--frobnicate', 'pw', 'x.cfg'], '--frobnicate'],
    [['pw', 'exclude=foo'], 'exclude'],
  ] as const) {
    const r = await cli([...argv]);
    assert.equal(r.code, 2, argv.join(' '));
    assert.ok(r.err.startsWith('vmbackup: '), r.err);
    assert.ok(r.err.includes(named), `${r.err} names ${named}`);
    assert.doesNotMatch(r.err, /\n\s+at /);
  }
  const json = await cli(['--json', 'pw', 'x.cfg', 'bogus']);
  assert.equal(JSON.parse(json.out.trim()).type, 'error');
});

test('create-password-file writes base64 with mode 0600, from an argument or the environment', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vmbackup-pw-'));
  const file = join(dir, 'pass');
  const r = await cli(['s3cr3t', `create-password-file=${file}`]);
  assert.equal(r.code, 0);
  assert.equal(readFileSync(file, 'utf8'), Buffer.from('s3cr3t').toString('base64'));
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const fromEnv = join(dir, 'pass2');
  assert.equal((await cli([`create-password-file=${fromEnv}`], { VMBACKUP_PASSWORD: 'env-pw' })).code, 0);
  assert.equal(Buffer.from(readFileSync(fromEnv, 'utf8'), 'base64').toString(), 'env-pw');
});

test('missing password sources are named', async () => {
  const r = await cli(['--password-env', 'NOPE_PW', 'x.cfg']);
  assert.equal(r.code, 2);
  assert.match(r.err, /NOPE_PW is not set/);
  const s = await cli(['--password-stdin', 'x.cfg'], {}, '');
  assert.equal(s.code, 2);
  assert.match(s.err, /no password on standard input/);
});

test('a config file that cannot be used stops before any connection, with file:line:col', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vmbackup-cfg-'));
  const cfg = join(dir, 'bad.cfg');
  writeFileSync(cfg, 'max_backups=three\nvm-export=a=b\n');
  const r = await cli(['--xapi', 'http://127.0.0.1:9/', cfg], { VMBACKUP_PASSWORD: 'x' });
  assert.equal(r.code, 2);
  assert.match(r.out, /bad\.cfg:1:\d+: error VMB\d+/);
  assert.match(r.out, /bad\.cfg:2:\d+: error VMB\d+/);
  assert.match(r.out, /ERROR in configuration settings/);
});

test('a password argument still works but warns; a password file does not', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vmbackup-cfg-'));
  const cfg = join(dir, 'bad.cfg');
  writeFileSync(cfg, 'max_backups=0\nvm-export=x\n');
  const literal = await cli(['hunter2', cfg]);
  assert.match(literal.out, /WARNING password given on the command line/);
  assert.ok(!literal.out.includes('hunter2') && !literal.err.includes('hunter2'), 'the password is never printed');
  const pwFile = join(dir, 'pw');
  writeFileSync(pwFile, Buffer.from('hunter2').toString('base64'));
  const fromFile = await cli([pwFile, cfg]);
  assert.doesNotMatch(fromFile.out, /password given on the command line/);
});

test('an unreachable ssh host is a clear error, exit 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vmbackup-cfg-'));
  const cfg = join(dir, 'ok.cfg');
  writeFileSync(cfg, `backup_dir=${dir}\nvm-export=web01\n`);
  const r = await cli(['--ssh', 'root@127.0.0.1:1', cfg], { VMBACKUP_PASSWORD: 'x' });
  assert.equal(r.code, 2);
  assert.match(r.out, /ERROR cannot reach the host: .*127\.0\.0\.1/);
  assert.doesNotMatch(r.out + r.err, /\n\s+at /);
});
