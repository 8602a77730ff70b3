// What only the ssh host does: host-key checking, key-only authentication, one multiplexed
// connection per run (or, without multiplexing as on Windows, a connection per command and
// one for the sftp channel), closing it, and reading `user@host[:port]`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSshHost, parseSshTarget } from '../../runner/src/host/ssh';
import { sshBaseArgs, sshMultiplexing } from '../../runner/src/host/ssh-options';
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
  /** sshd's log arrives through a pipe, maybe after the command's answer: wait for the count. */
  async function loginsReach(count: number, since: number): Promise<number> {
    for (let i = 0; i < 250 && authentications() - since < count; i++) await new Promise((r) => setTimeout(r, 20));
    return authentications() - since;
  }

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
    assert.ok(host.controlPath !== undefined && host.multiplexed);
    const controlPath = host.controlPath;
    const directory = join(controlPath, '..');
    assert.equal(statSync(directory).mode & 0o777, 0o700);
    const check = () =>
      spawnSync('ssh', ['-F', '/dev/null', '-o', `ControlPath=${controlPath}`, '-O', 'check', '127.0.0.1'], {
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

  test('without multiplexing: a connection per command, one sftp connection for every file operation', async () => {
    const before = authentications();
    const host = await createSshHost({ ...sshd.hostOptions, multiplex: false });
    try {
      assert.equal(host.multiplexed, false);
      assert.equal(host.controlPath, undefined);
      assert.equal(host.fileTransport, 'sftp');
      // Opening: the first command (uname) and the sftp channel.
      assert.equal(await loginsReach(2, before), 2);
      for (let i = 0; i < 3; i++) assert.equal((await host.run('true', [])).exitCode, 0);
      assert.equal(await loginsReach(5, before), 5);
      // File operations are packets on the sftp connection: no new login.
      const file = join(scratch, 'no-mux.txt');
      await host.writeFile(file, 'one\n');
      await host.appendFile(file, 'two\n');
      assert.equal((await host.readFile(file)).toString('utf8'), 'one\ntwo\n');
      assert.ok((await host.list(scratch)).some((entry) => entry.name === 'no-mux.txt'));
      await host.remove(file);
      assert.equal(authentications() - before, 5);
      // More at once than the connection limit (4): they queue and all succeed.
      const results = await Promise.all(Array.from({ length: 12 }, (_, i) => host.run('echo', [String(i)])));
      assert.deepEqual(
        results.map((result) => result.stdout),
        Array.from({ length: 12 }, (_, i) => `${i}\n`),
      );
    } finally {
      await host.close();
    }
    await assert.rejects(host.run('true', []), (error) => isHostError(error, 'EINVAL'));
  });

  test('without multiplexing at most 4 commands run at once (sshd drops logins beyond MaxStartups)', async () => {
    const host = await createSshHost({ ...sshd.hostOptions, multiplex: false });
    const dir = mkdtempSync(join(scratch, 'concurrency-'));
    // Each command marks itself running, records how many are, and waits for the release file.
    const script =
      'mkdir "$1/running-$2"; ls -d "$1"/running-* | wc -l > "$1/seen-$2"; ' +
      'while [ ! -e "$1/release" ]; do sleep 0.05; done; rmdir "$1/running-$2"';
    try {
      const runs = Array.from({ length: 8 }, (_, i) => host.run('sh', ['-c', script, 'sh', dir, String(i)]));
      const running = () => readdirSync(dir).filter((name) => name.startsWith('running-')).length;
      for (let i = 0; i < 500 && running() < 4; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(running(), 4);
      writeFileSync(join(dir, 'release'), '');
      for (const result of await Promise.all(runs)) assert.equal(result.exitCode, 0, result.stderr);
      const seen = readdirSync(dir)
        .filter((name) => name.startsWith('seen-'))
        .map((name) => Number(readFileSync(join(dir, name), 'utf8').trim()));
      assert.equal(seen.length, 8);
      assert.equal(Math.max(...seen), 4);
    } finally {
      writeFileSync(join(dir, 'release'), '');
      await host.close();
    }
  });

  test('without multiplexing a ControlMaster from ssh_config is overridden: no socket appears', async () => {
    const sockets = mkdtempSync(join(scratch, 'sockets-'));
    const configFile = join(scratch, 'ssh_config_controlmaster');
    writeFileSync(configFile, `Host *\n  ControlMaster auto\n  ControlPath ${sockets}/cm-%C\n  ControlPersist 60\n`);
    const host = await createSshHost({ ...sshd.hostOptions, configFile, multiplex: false });
    try {
      assert.equal((await host.run('echo', ['ok'])).stdout, 'ok\n');
      await host.stat(sshd.home);
      assert.deepEqual(readdirSync(sockets), []);
    } finally {
      await host.close();
    }
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

test('multiplexing: on by default, off on Windows (no ControlMaster there) and when asked', () => {
  assert.equal(sshMultiplexing('linux'), true);
  assert.equal(sshMultiplexing('darwin'), true);
  assert.equal(sshMultiplexing('win32'), false);
  assert.equal(sshMultiplexing('linux', true), false);
  assert.equal(sshMultiplexing('darwin', true), false);
  assert.equal(sshMultiplexing('linux', false), true);
});

test('ssh arguments: a control socket with multiplexing, ControlMaster=no and ControlPath=none without', () => {
  const options = (args: string[]) => args.filter((_, i) => args[i - 1] === '-o');
  const target = { host: 'h', user: 'root' };
  const shared = options(sshBaseArgs({ target: 'root@h' }, target, '/tmp/vmbackup-ssh-x/mux'));
  assert.ok(shared.includes('ControlMaster=auto'), shared.join(' '));
  assert.ok(shared.includes('ControlPath=/tmp/vmbackup-ssh-x/mux'), shared.join(' '));
  assert.ok(shared.includes('ControlPersist=60'), shared.join(' '));
  const single = options(sshBaseArgs({ target: 'root@h' }, target, undefined));
  assert.ok(single.includes('ControlMaster=no'), single.join(' '));
  assert.ok(single.includes('ControlPath=none'), single.join(' '));
  assert.ok(!single.some((option) => option.startsWith('ControlPersist')), single.join(' '));
  // The safety options do not depend on the mode.
  for (const safety of ['BatchMode=yes', 'StrictHostKeyChecking=yes', 'ForwardAgent=no'])
    assert.ok(single.includes(safety) && shared.includes(safety), safety);
});
