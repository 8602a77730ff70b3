// What only the ssh host does: host-key checking, key-only authentication, one multiplexed
// connection per run, closing it, and reading `user@host[:port]`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSshHost, parseSshTarget } from '../../runner/src/host/ssh';
import { isHostError } from '../../runner/src/host/errors';
import { startSshd, type Sshd } from '../harness/sshd';

describe('ssh host against a real sshd', () => {
  let sshd: Sshd;
  let scratch: string;
  before(async () => {
    sshd = await startSshd();
    scratch = mkdtempSync(join(tmpdir(), 'vmbackup-ssh-test-'));
  });
  after(async () => {
    await sshd.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  const authentications = () => (sshd.log().match(/Accepted publickey for /g) ?? []).length;

  test('all commands of a run share one authenticated connection', async () => {
    const before = authentications();
    const host = await createSshHost(sshd.hostOptions);
    try {
      for (let i = 0; i < 5; i++) assert.equal((await host.run('true', [])).exitCode, 0);
      // More at once than the session limit (8): they queue instead of failing.
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => host.run('echo', [String(i)])));
      assert.deepEqual(
        results.map((result) => result.stdout),
        Array.from({ length: 20 }, (_, i) => `${i}\n`),
      );
      await host.list(sshd.home);
      assert.equal(authentications() - before, 1);
    } finally {
      await host.close();
    }
  });

  test('close() ends the master connection and removes its private directory', async () => {
    const host = await createSshHost(sshd.hostOptions);
    const directory = join(host.controlPath, '..');
    assert.equal(statSync(directory).mode & 0o777, 0o700);
    const check = () =>
      spawnSync('ssh', ['-F', '/dev/null', '-o', `ControlPath=${host.controlPath}`, '-O', 'check', '127.0.0.1'], {
        encoding: 'utf8',
      });
    assert.equal(check().status, 0, check().stderr);
    const disconnects = () => (sshd.log().match(/Disconnected from user /g) ?? []).length;
    const before = disconnects();
    await host.close();
    assert.equal(existsSync(directory), false);
    assert.notEqual(check().status, 0);
    for (let i = 0; i < 50 && disconnects() === before; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(disconnects(), before + 1);
    await assert.rejects(host.run('true', []), (error) => isHostError(error, 'EINVAL'));
  });

  test('a changed host key is refused and known_hosts is left alone', async () => {
    const knownHostsFile = join(scratch, 'known_hosts_wrong');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(scratch, 'impostor')]);
    const impostor = readFileSync(join(scratch, 'impostor.pub'), 'utf8').trim();
    writeFileSync(knownHostsFile, `[127.0.0.1]:${sshd.port} ${impostor}\n`);
    await assert.rejects(
      createSshHost({ ...sshd.hostOptions, knownHostsFile }),
      (error) =>
        isHostError(error, 'ETRANSPORT') && /host key/i.test(error.message) && error.message.includes(sshd.target),
    );
    assert.equal(readFileSync(knownHostsFile, 'utf8'), `[127.0.0.1]:${sshd.port} ${impostor}\n`);
  });

  test('an unknown host is refused unless accept-new is asked for', async () => {
    const knownHostsFile = join(scratch, 'known_hosts_empty');
    writeFileSync(knownHostsFile, '');
    await assert.rejects(createSshHost({ ...sshd.hostOptions, knownHostsFile }), (error) =>
      isHostError(error, 'ETRANSPORT'),
    );
    assert.equal(readFileSync(knownHostsFile, 'utf8'), '');
    const host = await createSshHost({ ...sshd.hostOptions, knownHostsFile, acceptNewHostKey: true });
    await host.close();
    assert.match(readFileSync(knownHostsFile, 'utf8'), /ssh-ed25519 /);
  });

  test('no password prompt: a key the server does not know fails at once', async () => {
    const identityFile = join(scratch, 'stranger');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', identityFile]);
    const started = Date.now();
    await assert.rejects(
      createSshHost({ ...sshd.hostOptions, identityFile }),
      (error) => isHostError(error, 'ETRANSPORT') && /permission denied/i.test(error.message),
    );
    assert.ok(Date.now() - started < 15_000);
  });

  test('a path with spaces in ssh options is passed intact', async () => {
    const spaced = join(scratch, 'dir with space');
    execFileSync('mkdir', ['-p', spaced]);
    writeFileSync(join(spaced, 'known hosts'), readFileSync(sshd.knownHostsFile));
    const host = await createSshHost({ ...sshd.hostOptions, knownHostsFile: join(spaced, 'known hosts') });
    assert.equal((await host.run('echo', ['ok'])).stdout, 'ok\n');
    await host.close();
  });

  test('the login finds the simulator tools through the harness environment', async () => {
    const host = await createSshHost(sshd.hostOptions);
    try {
      const result = await host.run('sh', ['-c', 'printf "%s\\n%s" "$HOME" "$PATH"']);
      const [home, path] = result.stdout.split('\n');
      assert.equal(home, sshd.home);
      assert.ok(path?.split(':')[0]?.endsWith('/test/sim/bin'), path);
    } finally {
      await host.close();
    }
  });
});

test('parseSshTarget reads user@host[:port]', () => {
  assert.deepEqual(parseSshTarget('root@pool-master'), { user: 'root', host: 'pool-master', port: undefined });
  assert.deepEqual(parseSshTarget('root@10.0.0.1:2222'), { user: 'root', host: '10.0.0.1', port: 2222 });
  assert.deepEqual(parseSshTarget('admin@[fe80::1]:22'), { user: 'admin', host: 'fe80::1', port: 22 });
  assert.deepEqual(parseSshTarget('xen1.example.org'), { user: undefined, host: 'xen1.example.org', port: undefined });
  for (const bad of [
    '',
    'root@',
    '-oProxyCommand=x',
    'root@-oProxyCommand=x',
    'root@host:99999',
    'root@host:x',
    'a b@host',
    'root@ho st',
  ]) {
    assert.throws(
      () => parseSshTarget(bad),
      (error) => isHostError(error, 'EINVAL'),
      bad,
    );
  }
});
