// The read-only file system over the runner's ssh transport (client/src/remoteFiles.ts,
// client/src/remoteTarget.ts) against the real OpenSSH sshd harness: what a status_log or
// backup_dir document link opens when vmbackup.runner.transport is "ssh".
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RemoteFileError, RemoteFileReader } from '../../client/src/remoteFiles';
import { remoteTargetFor, sshConfigOf, type RemoteTargetOptions } from '../../client/src/remoteTarget';
import type { RunnerSettings } from '../../client/src/runnerInvocation';
import { freePort } from '../harness/ports';
import { startSshd, type Sshd } from '../harness/sshd';

function runnerSettings(sshTarget: string, extraArgs: string[] = []): RunnerSettings {
  return { poolUrl: '', certificateFingerprint: '', transport: 'ssh', sshTarget, xePath: '', extraArgs, env: {} };
}

describe('remote target of a vmbackup-ssh URI (pure)', () => {
  test("only the configured ssh target is reached, with the runner's absolute --ssh-config", () => {
    const scopes = [
      { ...runnerSettings('root@other'), transport: 'local' as const },
      runnerSettings('root@xen1:2222', ['--concurrency', '2', '--ssh-config', '/etc/vmbackup/ssh_config']),
    ];
    assert.deepEqual(remoteTargetFor('root@xen1:2222', scopes), {
      target: 'root@xen1:2222',
      configFile: '/etc/vmbackup/ssh_config',
    });
    // The first scope names root@other but for the local transport: not a target.
    assert.match((remoteTargetFor('root@other', scopes) as { refused: string }).refused, /vmbackup\.runner\.sshTarget/);
    assert.ok('refused' in remoteTargetFor('', [runnerSettings('')]));
    assert.deepEqual(remoteTargetFor('root@xen1', [runnerSettings('root@xen1', ['--ssh-config=relative/cfg'])]), {
      target: 'root@xen1',
    });
  });

  test('--ssh-config is read as the runner reads it (last one wins, = or separate value)', () => {
    assert.equal(sshConfigOf(['--ssh-config', '/a', '--ssh-config=/b']), '/b');
    assert.equal(sshConfigOf(['--ssh-config', '--json']), undefined);
    assert.equal(sshConfigOf([]), undefined);
  });
});

describe('reading backup_dir and status_log over ssh (real sshd)', () => {
  let sshd: Sshd;
  let scratch: string;
  let options: RemoteTargetOptions;
  let reader: RemoteFileReader;
  const authentications = () => (sshd.log().match(/Accepted publickey for /g) ?? []).length;

  before(async () => {
    sshd = await startSshd();
    scratch = mkdtempSync(join(tmpdir(), 'vmbackup-remote-files-'));
    // What a user puts in the runner's --ssh-config: identity and known hosts for the target.
    const sshConfig = join(scratch, 'ssh_config');
    writeFileSync(
      sshConfig,
      `IdentityFile ${sshd.identityFile}\nIdentitiesOnly yes\nUserKnownHostsFile ${sshd.knownHostsFile}\n`,
    );
    const resolved = remoteTargetFor(sshd.target, [runnerSettings(sshd.target, ['--ssh-config', sshConfig])]);
    assert.ok(!('refused' in resolved));
    options = resolved;
    mkdirSync(join(scratch, 'BACKUPS', 'PROD-web01', '20261201-020000'), { recursive: true });
    mkdirSync(join(scratch, 'BACKUPS', 'DEV-build01'));
    writeFileSync(join(scratch, 'BACKUPS', 'status.log'), '2026-12-01 02:00:00,PROD-web01,Success\n');
    reader = new RemoteFileReader();
  });
  after(async () => {
    await reader?.close();
    await sshd.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  test('opens the status log and lists the backup folder on one connection', async () => {
    const before = authentications();
    const log = await reader.read(options, join(scratch, 'BACKUPS', 'status.log'));
    assert.equal(Buffer.from(log).toString('utf8'), '2026-12-01 02:00:00,PROD-web01,Success\n');
    const entries = await reader.list(options, join(scratch, 'BACKUPS'));
    assert.deepEqual(
      entries.map((e) => [e.name, e.isDirectory]),
      [
        ['DEV-build01', true],
        ['PROD-web01', true],
        ['status.log', false],
      ],
    );
    const stat = await reader.stat(options, join(scratch, 'BACKUPS', 'status.log'));
    assert.equal(stat?.size, 39);
    assert.equal(authentications() - before, 1);
  });

  test('a missing path is "not found", naming the path and the target', async () => {
    const missing = join(scratch, 'BACKUPS', 'no-such.log');
    assert.equal(await reader.stat(options, missing), undefined);
    await assert.rejects(reader.read(options, missing), (error: unknown) => {
      assert.ok(error instanceof RemoteFileError);
      assert.equal(error.kind, 'not-found');
      assert.equal(error.message, `${missing}: no such file on ${sshd.target}`);
      return true;
    });
  });

  test('a file larger than the limit is not read into the editor', async () => {
    const small = new RemoteFileReader({ maxReadBytes: 10 });
    try {
      await assert.rejects(small.read(options, join(scratch, 'BACKUPS', 'status.log')), (error: unknown) => {
        assert.ok(error instanceof RemoteFileError);
        assert.equal(error.kind, 'too-large');
        assert.match(error.message, /has 39 bytes: larger than 10 bytes, not opened/);
        return true;
      });
    } finally {
      await small.close();
    }
  });

  test('hostile file names are data, never shell words', async () => {
    // A shell would run `touch pwned` in the login's home.
    const name = `x'$(touch pwned)\`touch pwned\`;"\nnext`;
    writeFileSync(join(scratch, 'BACKUPS', name), 'ok\n');
    assert.equal(Buffer.from(await reader.read(options, join(scratch, 'BACKUPS', name))).toString(), 'ok\n');
    assert.equal(existsSync(join(sshd.home, 'pwned')), false);
  });

  test('an idle connection is closed, and the next read opens one again', async () => {
    const idle = new RemoteFileReader({ idleMs: 50 });
    const disconnects = () => (sshd.log().match(/Disconnected from user /g) ?? []).length;
    try {
      const before = { logins: authentications(), disconnects: disconnects() };
      await idle.stat(options, join(scratch, 'BACKUPS'));
      assert.equal(idle.openConnections, 1);
      // The signal: sshd logs the disconnection (a cap for a loaded machine, not a pause).
      for (let i = 0; i < 500 && disconnects() === before.disconnects; i++)
        await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(disconnects(), before.disconnects + 1, sshd.log());
      assert.equal(idle.openConnections, 0);
      assert.equal((await idle.stat(options, join(scratch, 'BACKUPS')))?.isDirectory, true);
      assert.equal(authentications() - before.logins, 2);
    } finally {
      await idle.close();
    }
  });

  test("an unreachable target fails with ssh's reason, and the next read connects again", async () => {
    const port = await freePort();
    const unreachable = { ...options, target: `${sshd.user}@127.0.0.1:${port}` };
    const fresh = new RemoteFileReader();
    try {
      await assert.rejects(fresh.read(unreachable, '/etc/hostname'), (error: unknown) => {
        assert.ok(error instanceof RemoteFileError);
        assert.equal(error.kind, 'unavailable');
        assert.match(error.message, /refused|connect/i);
        return true;
      });
      const before = authentications();
      assert.deepEqual((await fresh.list(options, join(scratch, 'BACKUPS', 'DEV-build01'))).length, 0);
      assert.equal(authentications() - before, 1);
    } finally {
      await fresh.close();
    }
  });
});
