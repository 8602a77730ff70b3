// Off-host xe: the connection options the local host adds, and the password's path to xe —
// a pipe read as `-pwf /dev/stdin`, never the command line, never a file. The program standing
// in for xe here records what it was given (argv, what the -pwf path held, what kind of file
// it was) so we can see exactly what a real xe — or `ps` — would see.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalHost } from '../../runner/src/host/local';
import { isHostError } from '../../runner/src/host/errors';

let dir: string;
let recorder: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'vmbackup-local-xe-'));
  recorder = join(dir, 'xe');
  writeFileSync(
    recorder,
    [
      '#!/bin/sh',
      `out=${dir}/seen`,
      'printf "%s\\0" "$@" > "$out.argv"',
      'pwf=""; prev=""',
      'for a in "$@"; do [ "$prev" = "-pwf" ] && pwf=$a; prev=$a; done',
      'if [ -n "$pwf" ]; then stat -L -c %F "$pwf" > "$out.kind"; cat "$pwf" > "$out.pwf"; echo "$pwf" > ' +
        '"$out.path"; fi',
      'echo "xe ran"',
    ].join('\n'),
  );
  chmodSync(recorder, 0o755);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const seen = (what: string) => readFileSync(join(dir, `seen.${what}`), 'utf8');
const argv = () => seen('argv').split('\0').slice(0, -1);

test("on a pool host xe gets exactly the engine's arguments", async () => {
  const host = createLocalHost({ xePath: recorder });
  const result = await host.xe(['vm-list', 'name-label=$(id)', '--minimal']);
  assert.deepEqual(result, { exitCode: 0, stdout: 'xe ran\n', stderr: '' });
  assert.deepEqual(argv(), ['vm-list', 'name-label=$(id)', '--minimal']);
  assert.equal(host.description, 'local');
  await host.close();
});

test('off-host: -s -p -pwf /dev/stdin --nossl, the password only through a pipe, no file (SIGKILL-proof)', async () => {
  const password = "S3cr3t pass'word $(x)";
  const privateTmp = mkdtempSync(join(dir, 'tmp-'));
  const savedTmp = process.env.TMPDIR;
  process.env.TMPDIR = privateTmp;
  try {
    const host = createLocalHost({
      xePath: recorder,
      xeConnection: { server: 'pool-master.example', port: 8443, user: 'root', password, noSsl: true },
    });
    await host.xe(['vm-list']);
    const args = argv();
    assert.deepEqual(args.slice(0, 3), ['vm-list', '-s', 'pool-master.example']);
    assert.deepEqual(args.slice(3, 5), ['-p', '8443']);
    assert.deepEqual(args.slice(5, 8), ['-pwf', '/dev/stdin', '--nossl']);
    assert.ok(!args.some((arg) => arg.includes('S3cr3t')), 'password on the command line');
    assert.equal(seen('pwf'), `root\n${password}\n`);
    assert.equal(seen('kind').trim(), 'fifo', 'a pipe, not a file');
    assert.match(host.description, /pool-master\.example/);
    await host.xe(['host-list']);
    assert.equal(seen('pwf'), `root\n${password}\n`, 'every call gets it');
    assert.deepEqual(readdirSync(privateTmp), [], 'nothing written to the temp directory');
    await host.close();
  } finally {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
  }
});

test("off-host with a password file: a bare password or xe's own two-line format", async () => {
  writeFileSync(join(dir, 'bare'), 'only-the-password\n');
  writeFileSync(join(dir, 'xeformat'), 'someone\nsecond-line-password\n');
  for (const [file, expected] of [
    ['bare', 'only-the-password'],
    ['xeformat', 'second-line-password'],
  ] as const) {
    const host = createLocalHost({
      xePath: recorder,
      xeConnection: { server: 'h', user: 'root', passwordFile: join(dir, file) },
    });
    await host.xe(['vm-list']);
    assert.equal(seen('pwf'), `root\n${expected}\n`);
    assert.deepEqual(argv().slice(0, 3), ['vm-list', '-s', 'h']);
    assert.ok(!argv().includes('--nossl'));
    assert.ok(!argv().includes('-p'));
    await host.close();
  }
});

test('off-host without any password is refused up front', () => {
  assert.throws(
    () => createLocalHost({ xeConnection: { server: 'h', user: 'root' } }),
    (error) => isHostError(error, 'EINVAL'),
  );
});

test('a missing password file is an error naming it', async () => {
  const host = createLocalHost({
    xePath: recorder,
    xeConnection: { server: 'h', user: 'root', passwordFile: join(dir, 'missing') },
  });
  await assert.rejects(
    host.xe(['vm-list']),
    (error) => isHostError(error, 'ENOENT') && error.message.includes(join(dir, 'missing')),
  );
  await host.close();
});

test('extra environment reaches a local command', async () => {
  const host = createLocalHost();
  const result = await host.run('sh', ['-c', 'printf %s "$XE_EXTRA_ARGS"'], {
    env: { XE_EXTRA_ARGS: 'server=127.0.0.1,port=1' },
  });
  assert.equal(result.stdout, 'server=127.0.0.1,port=1');
});
