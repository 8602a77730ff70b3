// The Host contract, run against both hosts: local, and ssh (multiplexed, not
// multiplexed, without sftp) through a real sshd on 127.0.0.1 (test/harness/sshd.ts).
// The ssh target is this same machine, so every result is also checked with node:fs directly.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statfsSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalHost } from '../../runner/src/host/local';
import { createSshHost } from '../../runner/src/host/ssh';
import { isHostError } from '../../runner/src/host/errors';
import type { Host } from '../../runner/src/host/types';
import { startSshd, type Sshd } from '../harness/sshd';
import { hostileNames } from './hostile-names';

interface Fixture {
  host: Host;
  dispose(): Promise<void>;
}

const hostKinds: Array<[string, () => Promise<Fixture>]> = [
  [
    'local',
    async () => {
      const host = createLocalHost();
      return { host, dispose: () => host.close() };
    },
  ],
  [
    'ssh',
    async () => {
      const sshd: Sshd = await startSshd();
      const host = await createSshHost(sshd.hostOptions);
      assert.equal(host.fileTransport, 'sftp');
      return {
        host,
        async dispose() {
          await host.close();
          await sshd.stop();
        },
      };
    },
  ],
  // Without multiplexing (Windows' OpenSSH has no ControlMaster): a connection per command,
  // files over one sftp connection of their own.
  [
    'ssh without multiplexing',
    async () => {
      const sshd: Sshd = await startSshd();
      const host = await createSshHost({ ...sshd.hostOptions, multiplex: false });
      assert.equal(host.multiplexed, false);
      assert.equal(host.fileTransport, 'sftp');
      return {
        host,
        async dispose() {
          await host.close();
          await sshd.stop();
        },
      };
    },
  ],
  // A server with its sftp subsystem disabled: file operations as quoted shell commands.
  [
    'ssh without sftp',
    async () => {
      const sshd: Sshd = await startSshd({ sftp: false });
      const host = await createSshHost(sshd.hostOptions);
      assert.equal(host.fileTransport, 'shell');
      return {
        host,
        async dispose() {
          await host.close();
          await sshd.stop();
        },
      };
    },
  ],
];

/** The pid of a process that has certainly ended. */
function deadPid(): number {
  const pid = spawnSync('true').pid;
  assert.ok(pid !== undefined && pid > 0);
  return pid;
}

for (const [kind, setup] of hostKinds) {
  describe(`Host contract: ${kind}`, () => {
    let host: Host;
    let fixture: Fixture;
    let root: string;
    let counter = 0;
    const fresh = () => {
      const dir = join(root, `case-${++counter}`);
      mkdirSync(dir);
      return dir;
    };

    before(async () => {
      fixture = await setup();
      host = fixture.host;
      root = mkdtempSync(join(tmpdir(), `vmbackup-host-${kind}-`));
    });
    after(async () => {
      await fixture.dispose();
      rmSync(root, { recursive: true, force: true });
    });

    test('description names the transport', () => {
      assert.match(host.description, kind === 'local' ? /^local/ : /^ssh \S+@127\.0\.0\.1:\d+$/);
    });

    test('hostname and free space of the target', async () => {
      assert.equal(await host.hostname(), hostname());
      const free = await host.freeBytes(root);
      const info = statfsSync(root);
      const expected = info.bavail * info.bsize;
      assert.ok(Math.abs(free - expected) < 256 * 1024 * 1024, `${free} vs ${expected}`);
      await assert.rejects(host.freeBytes(join(root, 'missing')), (error) => isHostError(error));
    });

    test('mkdir, exists, stat', async () => {
      const dir = fresh();
      await host.mkdir(join(dir, 'a', 'b'));
      await host.mkdir(join(dir, 'a', 'b')); // again: no error
      assert.equal(await host.exists(join(dir, 'a', 'b')), true);
      assert.equal(await host.exists(join(dir, 'nope')), false);
      assert.equal(await host.stat(join(dir, 'nope')), undefined);
      writeFileSync(join(dir, 'f'), '12345');
      const file = await host.stat(join(dir, 'f'));
      assert.deepEqual({ ...file, mtimeMs: 0 }, { name: 'f', isDirectory: false, size: 5, mtimeMs: 0 });
      assert.ok(Math.abs((file?.mtimeMs ?? 0) - Date.now()) < 60_000);
      assert.equal((await host.stat(join(dir, 'a')))?.isDirectory, true);
      assert.equal(await host.exists(join(dir, 'f', 'inside-a-file')), false);
    });

    test('write, append and read text and binary files', async () => {
      const dir = fresh();
      const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      await host.writeFile(join(dir, 'bin'), bytes);
      assert.deepEqual(await host.readFile(join(dir, 'bin')), bytes);
      await host.writeFile(join(dir, 'log'), 'line 1\n');
      await host.appendFile(join(dir, 'log'), 'line 2\n');
      await host.appendFile(join(dir, 'new'), 'created by append\n');
      assert.equal(readFileSync(join(dir, 'log'), 'utf8'), 'line 1\nline 2\n');
      assert.equal((await host.readFile(join(dir, 'new'))).toString(), 'created by append\n');
      await host.writeFile(join(dir, 'log'), 'replaced');
      assert.equal(readFileSync(join(dir, 'log'), 'utf8'), 'replaced');
      await assert.rejects(host.readFile(join(dir, 'missing')), (error) => isHostError(error, 'ENOENT'));
    });

    test('large files and many operations at once keep their bytes', async () => {
      const dir = fresh();
      const big = randomBytes(3 * 1024 * 1024 + 17);
      await host.writeFile(join(dir, 'big'), big);
      assert.ok(readFileSync(join(dir, 'big')).equals(big));
      assert.ok((await host.readFile(join(dir, 'big'))).equals(big));
      const names = Array.from({ length: 40 }, (_, i) => `file-${String(i).padStart(2, '0')}`);
      await Promise.all(names.map((name) => host.writeFile(join(dir, name), name.repeat(1000))));
      const contents = await Promise.all(names.map((name) => host.readFile(join(dir, name))));
      assert.deepEqual(
        contents.map((buffer) => buffer.toString()),
        names.map((name) => name.repeat(1000)),
      );
      assert.deepEqual(
        (await host.list(dir)).map((entry) => entry.name),
        ['big', ...names],
      );
    });

    test('readStream: whole file, in order, any size; missing file: ENOENT; leaving early frees the host', async () => {
      const dir = fresh();
      for (const size of [0, 1, 65536, 65536 * 16, 5 * 1024 * 1024 + 333]) {
        const bytes = randomBytes(size);
        writeFileSync(join(dir, `s${size}`), bytes);
        const pieces: Buffer[] = [];
        for await (const piece of host.readStream(join(dir, `s${size}`))) pieces.push(piece);
        assert.ok(Buffer.concat(pieces).equals(bytes), `${size} bytes`);
      }
      const reading = async () => {
        for await (const piece of host.readStream(join(dir, 'missing'))) assert.fail(`read ${piece.length} bytes`);
      };
      await assert.rejects(reading(), (error) => isHostError(error, 'ENOENT'));
      const hostileFile = join(dir, '-$(touch pwned)`x`\n.xva');
      writeFileSync(hostileFile, 'hostile');
      const hostilePieces: Buffer[] = [];
      for await (const piece of host.readStream(hostileFile)) hostilePieces.push(piece);
      assert.equal(Buffer.concat(hostilePieces).toString(), 'hostile');
      assert.ok(!existsSync(join(dir, 'pwned')) && !existsSync('pwned'));
      // a checker that stops at the first damage leaves the stream; the host stays usable
      for (let i = 0; i < 12; i++) {
        for await (const piece of host.readStream(join(dir, `s${5 * 1024 * 1024 + 333}`))) if (piece.length > 0) break;
      }
      assert.equal((await host.readFile(join(dir, 's1'))).length, 1);
    });

    test('list is sorted by code point and describes each entry', async () => {
      const dir = fresh();
      const names = [
        'b',
        'a',
        'B',
        '10',
        '9',
        'backup-2016-01-29-(10:33:49)',
        'backup-2016-01-29-(09:00:00)',
        '\u{1F600}',
        '\uFF01',
      ];
      for (const name of names) writeFileSync(join(dir, name), name);
      mkdirSync(join(dir, 'sub'));
      const listed = await host.list(dir);
      // Code point order: U+FF01 before U+1F600 (a UTF-16 sort would put the emoji first).
      assert.deepEqual(
        listed.map((entry) => entry.name),
        [
          '10',
          '9',
          'B',
          'a',
          'b',
          'backup-2016-01-29-(09:00:00)',
          'backup-2016-01-29-(10:33:49)',
          'sub',
          '\uFF01',
          '\u{1F600}',
        ],
      );
      const sub = listed.find((entry) => entry.name === 'sub');
      assert.equal(sub?.isDirectory, true);
      const ten = listed.find((entry) => entry.name === '10');
      assert.deepEqual([ten?.isDirectory, ten?.size], [false, 2]);
      assert.deepEqual(await host.list(join(dir, 'sub')), []);
      await assert.rejects(host.list(join(dir, 'missing')), (error) => isHostError(error, 'ENOENT'));
      await assert.rejects(host.list(join(dir, '10')), (error) => isHostError(error, 'EIO'));
    });

    test('remove deletes files and whole trees, and refuses the root', async () => {
      const dir = fresh();
      mkdirSync(join(dir, 'tree', 'deep', 'er'), { recursive: true });
      writeFileSync(join(dir, 'tree', 'deep', 'er', 'f'), 'x');
      writeFileSync(join(dir, 'file'), 'x');
      await host.remove(join(dir, 'tree'));
      await host.remove(join(dir, 'file'));
      await host.remove(join(dir, 'never-existed'));
      assert.deepEqual(readdirSync(dir), []);
      for (const path of ['/', '', '//', '/.', '.', '..', `${dir}/..`, `${dir}/.`, `${dir}/../x`]) {
        await assert.rejects(host.remove(path), (error) => isHostError(error, 'EINVAL'), path);
      }
      assert.ok(existsSync(dir));
    });

    test('rename moves files and folders, never into an existing folder', async () => {
      const dir = fresh();
      writeFileSync(join(dir, 'a'), 'A');
      await host.rename(join(dir, 'a'), join(dir, 'b'));
      assert.deepEqual(readdirSync(dir), ['b']);
      mkdirSync(join(dir, 'partial'));
      writeFileSync(join(dir, 'partial', 'x'), 'x');
      await host.rename(join(dir, 'partial'), join(dir, 'done'));
      assert.equal(readFileSync(join(dir, 'done', 'x'), 'utf8'), 'x');
      mkdirSync(join(dir, 'other'));
      writeFileSync(join(dir, 'other', 'y'), 'y');
      await assert.rejects(host.rename(join(dir, 'done'), join(dir, 'other')), (error) =>
        isHostError(error, 'ENOTEMPTY'),
      );
      assert.deepEqual(readdirSync(join(dir, 'other')), ['y']);
      await assert.rejects(host.rename(join(dir, 'missing'), join(dir, 'c')), (error) => isHostError(error, 'ENOENT'));
    });

    test('lock: exclusive, released, never removes a lock that is not ours', async () => {
      const dir = fresh();
      const path = join(dir, '.vmbackup.lock');
      const lock = await host.lock(path);
      assert.equal(lock.takeoverWarning, undefined);
      const owner = JSON.parse(readFileSync(path, 'utf8'));
      assert.deepEqual([owner.pid, owner.host], [process.pid, hostname()]);
      await assert.rejects(
        host.lock(path),
        (error) => isHostError(error, 'ELOCKED') && error.message.includes(`pid ${process.pid}`),
      );
      await lock.release();
      assert.equal(existsSync(path), false);
      await lock.release(); // twice: harmless
      const again = await host.lock(path);
      writeFileSync(path, JSON.stringify({ pid: 1, host: 'someone-else', started: 'x' }));
      await again.release();
      assert.ok(existsSync(path), 'release removed a lock that another run wrote');
    });

    test('lock: a dead run on this host is taken over with a warning, others are not', async () => {
      const dir = fresh();
      const path = join(dir, 'lock');
      const pid = deadPid();
      writeFileSync(path, JSON.stringify({ pid, host: hostname(), started: '2026-01-01T00:00:00.000Z' }));
      const lock = await host.lock(path);
      assert.match(lock.takeoverWarning ?? '', new RegExp(`stale lock .*pid ${pid} on `));
      assert.equal(JSON.parse(readFileSync(path, 'utf8')).pid, process.pid);
      await lock.release();
      // Same dead pid but on another machine: we cannot know, so we refuse.
      writeFileSync(path, JSON.stringify({ pid, host: 'other-host.example', started: 'x' }));
      await assert.rejects(
        host.lock(path),
        (error) => isHostError(error, 'ELOCKED') && error.message.includes('other-host.example'),
      );
      writeFileSync(path, 'garbage');
      await assert.rejects(
        host.lock(path),
        (error) => isHostError(error, 'ELOCKED') && error.message.includes('does not name its owner'),
      );
      assert.deepEqual(readdirSync(dir), ['lock']); // no takeover guard left behind
    });

    test('run: exit code, stdout, stderr and input', async () => {
      const result = await host.run('sh', ['-c', 'printf out; printf err >&2; exit 7']);
      assert.deepEqual(result, { exitCode: 7, stdout: 'out', stderr: 'err' });
      const echoed = await host.run('cat', [], { input: 'from stdin\n' });
      assert.deepEqual(echoed, { exitCode: 0, stdout: 'from stdin\n', stderr: '' });
    });

    test('run: hostile arguments reach the program unchanged and execute nothing', async () => {
      const marker = join(fresh(), 'pwned');
      const names = hostileNames(marker);
      const result = await host.run('printf', ['%s\\0', ...names]);
      assert.equal(result.exitCode, 0, result.stderr);
      assert.deepEqual(result.stdout.split('\0').slice(0, -1), names);
      assert.equal(existsSync(marker), false);
    });

    test('files with hostile names: create, list, read, rename, remove', async () => {
      const dir = fresh();
      const marker = join(dir, 'pwned');
      const names = hostileNames(marker).map((name) => name.replaceAll('/', '_'));
      for (const name of names) {
        await host.mkdir(join(dir, name));
        await host.writeFile(join(dir, name, 'data'), name);
      }
      assert.deepEqual(readdirSync(dir).sort(), [...names].sort());
      const listed = await host.list(dir);
      assert.deepEqual(new Set(listed.map((entry) => entry.name)), new Set(names));
      for (const name of names) {
        assert.equal((await host.readFile(join(dir, name, 'data'))).toString(), name);
        await host.rename(join(dir, name), join(dir, `${name}.old`));
        assert.equal(await host.exists(join(dir, `${name}.old`, 'data')), true);
        await host.remove(join(dir, `${name}.old`));
      }
      assert.deepEqual(readdirSync(dir), []);
      assert.equal(existsSync(marker), false);
    });

    test('stdoutFile: streamed into a new file, never over an existing one', async () => {
      const dir = fresh();
      const file = join(dir, 'export.xva');
      const result = await host.run('head', ['-c', String(8 * 1024 * 1024), '/dev/zero'], { stdoutFile: file });
      assert.deepEqual(result, { exitCode: 0, stdout: '', stderr: '' });
      assert.equal(readFileSync(file).length, 8 * 1024 * 1024);
      writeFileSync(file, 'precious');
      await assert.rejects(host.run('echo', ['overwrite'], { stdoutFile: file }), (error) =>
        isHostError(error, 'EEXIST'),
      );
      assert.equal(readFileSync(file, 'utf8'), 'precious');
      await assert.rejects(host.run('echo', ['x'], { stdoutFile: join(dir, 'missing', 'f') }), (error) =>
        isHostError(error, 'ENOENT'),
      );
      const failing = await host.run('sh', ['-c', 'echo partial; echo broken >&2; exit 3'], {
        stdoutFile: join(dir, 'failed'),
      });
      assert.deepEqual(failing, { exitCode: 3, stdout: '', stderr: 'broken\n' });
      assert.equal(readFileSync(join(dir, 'failed'), 'utf8'), 'partial\n');
      const hostile = join(dir, hostileNames(join(dir, 'pwned'))[0]!.replaceAll('/', '_'));
      await host.run('echo', ['ok'], { stdoutFile: hostile });
      assert.equal(readFileSync(hostile, 'utf8'), 'ok\n');
      assert.equal(existsSync(join(dir, 'pwned')), false);
    });

    test('a cancelled command stops on the target', async () => {
      const dir = fresh();
      const pidFile = join(dir, 'pid');
      const controller = new AbortController();
      const started = Date.now();
      const running = host.run('sh', ['-c', `echo $$ > "$1"; exec sleep 30`, 'sleeper', pidFile], {
        signal: controller.signal,
      });
      while (!existsSync(pidFile) || readFileSync(pidFile, 'utf8') === '')
        await new Promise((resolve) => setTimeout(resolve, 20));
      controller.abort();
      await assert.rejects(running, (error) => isHostError(error, 'EABORTED'));
      assert.ok(Date.now() - started < 10_000);
      const pid = Number(readFileSync(pidFile, 'utf8'));
      let alive = true;
      for (let i = 0; i < 100 && alive; i++) {
        alive = spawnSync('kill', ['-0', String(pid)]).status === 0 && !isZombie(pid);
        if (alive) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal(alive, false, `the command (pid ${pid}) still runs after cancel`);
    });

    test('a program that does not exist is an error naming it', async () => {
      if (kind === 'local') {
        await assert.rejects(
          host.run('/nonexistent/xe', []),
          (error) => isHostError(error, 'ECOMMAND') && error.message.includes('/nonexistent/xe'),
        );
      } else {
        // Over ssh the remote shell reports it: exit 127 and its message.
        const result = await host.run('/nonexistent/xe', []);
        assert.equal(result.exitCode, 127);
        assert.match(result.stderr, /nonexistent\/xe/);
      }
    });
  });
}

/** Killed processes stay zombies here when nobody reaps them; they no longer run. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}
