// The backup_dir lock after faults (issue 11, item 6): a lock write that fails (disk full)
// leaves no file behind, an empty lock left by an older failure is taken over, and a foreign
// file or a leftover takeover guard is reported as what it is, never as "another run".
// Host level on every transport (local, ssh with sftp, ssh without sftp) and through the CLI.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createLocalHost } from '../../runner/src/host/local';
import { createSshHost } from '../../runner/src/host/ssh';
import { isHostError } from '../../runner/src/host/errors';
import type { Host } from '../../runner/src/host/types';
import { startSshd, type Sshd } from '../harness/sshd';
import type { Simulator } from '../sim/index';
import { cliPath, ensureBundle, localTransport, runCli, sshTransport, startPool, tempDir, workspace, type Transport } from './helpers';

/** The pid of a process that has certainly ended. */
function deadPid(): number {
  const pid = spawnSync('true').pid;
  assert.ok(pid !== undefined && pid > 0);
  return pid;
}

/** A full filesystem (tmpfs) for a real ENOSPC; needs root, like `mount`. */
function fullFilesystem(): { dir: string; unmount(): void } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const dir = tempDir('vmbackup-full-');
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]).status !== 0) return undefined;
  // Fill every block; creating an empty file still works (inodes are separate), writing does not.
  spawnSync('sh', ['-c', 'cat /dev/zero > "$1"/filler', 'sh', dir]);
  return { dir, unmount: () => void spawnSync('umount', [dir]) };
}

const hostKinds: Array<[string, () => Promise<{ host: Host; dispose(): Promise<void> }>]> = [
  ['local', async () => {
    const host = createLocalHost();
    return { host, dispose: () => host.close() };
  }],
  ['ssh', async () => {
    const sshd: Sshd = await startSshd();
    const host = await createSshHost(sshd.hostOptions);
    return { host, dispose: async () => (await host.close(), await sshd.stop()) };
  }],
  ['ssh without sftp', async () => {
    const sshd: Sshd = await startSshd({ sftp: false });
    const host = await createSshHost(sshd.hostOptions);
    assert.equal(host.fileTransport, 'shell');
    return { host, dispose: async () => (await host.close(), await sshd.stop()) };
  }],
];

for (const [kind, setup] of hostKinds) {
  describe(`lock faults: ${kind}`, () => {
    let host: Host;
    let dispose: () => Promise<void>;
    before(async () => ({ host, dispose } = await setup()));
    after(async () => dispose());

    test('a lock write that fails on a full disk leaves no lock file behind', async (t) => {
      const full = fullFilesystem();
      if (!full) return t.skip('needs root to mount a small tmpfs');
      try {
        const path = join(full.dir, '.vmbackup.lock');
        await assert.rejects(host.lock(path), (error) => isHostError(error) && !isHostError(error, 'ELOCKED'));
        assert.equal(existsSync(path), false, 'no empty lock left');
      } finally {
        full.unmount();
      }
    });

    test('an empty lock file left by a failed write is taken over with a warning', async () => {
      const dir = tempDir();
      const path = join(dir, '.vmbackup.lock');
      writeFileSync(path, '');
      const lock = await host.lock(path);
      assert.match(lock.takeoverWarning ?? '', /empty lock file .* could not write it/);
      assert.equal(JSON.parse(readFileSync(path, 'utf8')).pid, process.pid);
      await lock.release();
      assert.deepEqual(readdirSync(dir), []);
    });

    test('a foreign file is reported as not a vmbackup lock, with what it holds', async () => {
      const path = join(tempDir(), '.vmbackup.lock');
      writeFileSync(path, 'hello\x1b[2J');
      await assert.rejects(host.lock(path), (error) => {
        assert.ok(isHostError(error, 'ELOCKED'));
        assert.match(error.message, /is not a vmbackup lock \(it holds "hello\\u001b\[2J"\)/);
        assert.doesNotMatch(error.message, /another vmbackup run/);
        return true;
      });
    });

    test('a takeover guard left behind is named, with the way out', async () => {
      const dir = tempDir();
      const path = join(dir, '.vmbackup.lock');
      writeFileSync(path, JSON.stringify({ pid: deadPid(), host: hostname(), started: '2026-01-01T00:00:00.000Z' }));
      mkdirSync(`${path}.takeover`);
      await assert.rejects(host.lock(path), (error) => {
        assert.ok(isHostError(error, 'ELOCKED'));
        assert.match(error.message, /cannot be taken over: .*\.vmbackup\.lock\.takeover exists .* remove .*\.takeover$/);
        return true;
      });
    });

    test('a folder where the lock file goes is reported as such', async () => {
      const path = join(tempDir(), '.vmbackup.lock');
      mkdirSync(path);
      await assert.rejects(host.lock(path), (error) => {
        assert.ok(isHostError(error, 'ELOCKED'));
        assert.match(error.message, /cannot be read as a lock file .* move it away/);
        return true;
      });
    });
  });
}

let sim: Simulator;
const transports: Transport[] = [localTransport];
before(async () => {
  ensureBundle();
  sim = await startPool({ name: 'lock', vms: [{ name: 'web01', disks: [{ size: '1MiB' }] }] });
  transports.push(await sshTransport(sim));
});
after(async () => {
  for (const t of transports) await t.stop();
  await sim.close();
});

for (const index of [0, 1]) {
  const name = index === 0 ? 'local' : 'ssh';
  test(`${name} CLI: a garbage lock is refused with what it is; an empty leftover lock is taken over`, async () => {
    const ws = workspace();
    const cfg = ws.writeConfig(['vm-export=web01']);
    const lock = join(ws.backupDir, '.vmbackup.lock');
    writeFileSync(lock, 'not a lock');
    const refused = await runCli(sim, [...transports[index]!.args, cfg]);
    assert.equal(refused.code, 2, refused.stdout);
    assert.match(refused.stdout, /ERROR cannot lock .*: lock file .* is not a vmbackup lock/);
    assert.doesNotMatch(refused.stdout, /another vmbackup run is using/);
    writeFileSync(lock, '');
    const taken = await runCli(sim, [...transports[index]!.args, cfg]);
    assert.equal(taken.code, 0, taken.stdout + taken.stderr);
    assert.match(taken.stdout, /WARNING removed the empty lock file /);
    assert.equal(existsSync(lock), false);
  });
}

test('local CLI: a lock write that fails (file size limit) leaves no lock; the next run works', async () => {
  const ws = workspace();
  const cfg = ws.writeConfig(['vm-export=web01']);
  // RLIMIT_FSIZE 0 with SIGXFSZ ignored: every non-empty write fails (EFBIG) after the file
  // was created, as on a full disk.
  const child = spawn('sh', ['-c', 'ulimit -f 0; trap "" XFSZ; exec "$@"', 'sh', process.execPath, cliPath, '--xe', sim.xePath, '--xapi', sim.url, cfg], {
    env: { ...process.env, VMBACKUP_PASSWORD: sim.password },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 2, stdout);
  assert.match(stdout, /ERROR cannot lock .*\.vmbackup\.lock: write lock file .*file too large/i);
  assert.equal(existsSync(join(ws.backupDir, '.vmbackup.lock')), false);
  const next = await runCli(sim, [cfg]);
  assert.equal(next.code, 0, next.stdout + next.stderr);
});
