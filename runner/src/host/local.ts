// The local host: `xe` and backup files on this machine. On a pool host `xe` talks to the
// local xapi; off-host it gets `-s/-p/-pwf/--nossl`. The password reaches `xe` only through a
// 0600 password file in a private 0700 directory — never on a command line, where `ps`
// would show it (one of VmBackup.py's weaknesses).

import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { appendFile, lstat, mkdir, open, readFile, readdir, rename, rm, rmdir, stat, statfs, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostError, fromFsError } from './errors';
import { acquireLock, type LockFiles } from './lock';
import { assertRemovable, compareNames } from './paths';
import { runText } from './process';
import type { CommandResult, FileInfo, Host, HostLock, RunOptions } from './types';

export interface XeConnection {
  server: string;
  port?: number;
  user: string;
  /** A file holding the password: either just the password, or xe's own format (user line, password line). */
  passwordFile?: string;
  password?: string;
  noSsl?: boolean;
}

export interface LocalHostOptions {
  /** Default `xe` from PATH. */
  xePath?: string;
  /** Off-host: the pool master to talk to. Without it `xe` uses the local xapi socket. */
  xeConnection?: XeConnection;
}

export function createLocalHost(options: LocalHostOptions = {}): Host {
  const xePath = options.xePath ?? 'xe';
  const credentials = options.xeConnection ? new XePasswordFile(options.xeConnection) : undefined;

  const host: Host = {
    description: options.xeConnection ? `local (xe -s ${options.xeConnection.server})` : 'local',

    async xe(args, runOptions) {
      const connectionArgs = credentials ? await credentials.args() : [];
      return runLocal(xePath, [...args, ...connectionArgs], runOptions);
    },
    run: runLocal,
    async hostname() {
      return hostname();
    },
    async freeBytes(path) {
      try {
        const info = await statfs(path);
        return info.bavail * info.bsize;
      } catch (error) {
        throw fromFsError(error, 'free space of', path);
      }
    },
    async exists(path) {
      return (await host.stat(path)) !== undefined;
    },
    async stat(path) {
      const name = path.split('/').filter(Boolean).pop() ?? path;
      return statEntry(path, name);
    },
    async list(path) {
      let names: string[];
      try {
        names = await readdir(path);
      } catch (error) {
        throw fromFsError(error, 'list', path);
      }
      const entries = await Promise.all(names.map((name) => statEntry(join(path, name), name)));
      return entries.filter((entry): entry is FileInfo => entry !== undefined).sort((a, b) => compareNames(a.name, b.name));
    },
    async mkdir(path) {
      await mkdir(path, { recursive: true }).catch((error) => {
        throw fromFsError(error, 'create directory', path);
      });
    },
    async readFile(path) {
      return readFile(path).catch((error) => {
        throw fromFsError(error, 'read', path);
      });
    },
    async *readStream(path) {
      try {
        for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) yield chunk as Buffer;
      } catch (error) {
        throw fromFsError(error, 'read', path);
      }
    },
    async writeFile(path, data) {
      await writeFile(path, data).catch((error) => {
        throw fromFsError(error, 'write', path);
      });
    },
    async appendFile(path, data) {
      await appendFile(path, data).catch((error) => {
        throw fromFsError(error, 'append to', path);
      });
    },
    async remove(path) {
      assertRemovable(path);
      await rm(path, { recursive: true, force: true }).catch((error) => {
        throw fromFsError(error, 'remove', path);
      });
    },
    async rename(from, to) {
      await rename(from, to).catch((error) => {
        throw fromFsError(error, `rename ${from} to`, to);
      });
    },
    lock(path): Promise<HostLock> {
      return acquireLock(localLockFiles, path);
    },
    async close() {
      credentials?.dispose();
    },
  };
  return host;
}

async function runLocal(program: string, args: string[], options: RunOptions = {}): Promise<CommandResult> {
  if (options.stdoutFile === undefined) {
    return runText(program, args, { input: options.input, signal: options.signal, env: options.env });
  }
  // O_EXCL: an export never overwrites an existing file (a backup, or a name collision).
  const file = await open(options.stdoutFile, 'wx').catch((error) => {
    throw fromFsError(error, 'create', options.stdoutFile as string);
  });
  try {
    return await runText(program, args, { input: options.input, signal: options.signal, env: options.env, stdoutFd: file.fd });
  } finally {
    await file.close();
  }
}

async function statEntry(path: string, name: string): Promise<FileInfo | undefined> {
  try {
    const info = await stat(path).catch(async (error: NodeJS.ErrnoException) => {
      // A dangling symlink still is an entry of the folder: describe the link itself.
      if (error.code === 'ENOENT') return lstat(path);
      throw error;
    });
    return { name, isDirectory: info.isDirectory(), size: info.size, mtimeMs: info.mtimeMs };
  } catch (error) {
    // ENOTDIR: a path through a file names nothing, as `test -e` and sftp see it.
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw fromFsError(error, 'stat', path);
  }
}

const localLockFiles: LockFiles = {
  async createExclusive(path, content) {
    let file;
    try {
      file = await open(path, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw fromFsError(error, 'create lock file', path);
    }
    try {
      await file.writeFile(content);
      await file.close();
      return true;
    } catch (error) {
      // O_EXCL made this file ours: an empty lock left behind (disk full) would block every later run.
      await file.close().catch(() => undefined);
      await rm(path, { force: true });
      throw fromFsError(error, 'write lock file', path);
    }
  },
  async readText(path) {
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw fromFsError(error, 'read lock file', path);
    }
  },
  async removeFile(path) {
    await rm(path, { force: true });
  },
  async makeDirectoryExclusive(path) {
    try {
      await mkdir(path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw fromFsError(error, 'create directory', path);
    }
  },
  async removeDirectory(path) {
    await rmdir(path).catch(() => undefined);
  },
};

/**
 * xe's `-pwf` file (line 1 user, line 2 password) written once per host into a private
 * directory, removed on close() and, should the process end without close(), on exit.
 */
class XePasswordFile {
  private directory: string | undefined;
  private readonly removeOnExit = () => this.dispose();

  constructor(private readonly connection: XeConnection) {
    if (connection.password === undefined && connection.passwordFile === undefined) {
      throw new HostError('EINVAL', `xe connection to ${connection.server}: a password or password file is needed`);
    }
  }

  async args(): Promise<string[]> {
    const { server, port, noSsl } = this.connection;
    const file = await this.path();
    return ['-s', server, ...(port !== undefined ? ['-p', String(port)] : []), '-pwf', file, ...(noSsl ? ['--nossl'] : [])];
  }

  private async path(): Promise<string> {
    if (this.directory) return join(this.directory, 'pwf');
    const password = this.connection.password ?? (await this.passwordFromFile(this.connection.passwordFile as string));
    const directory = mkdtempSync(join(tmpdir(), 'vmbackup-xe-')); // mkdtemp: mode 0700
    writeFileSync(join(directory, 'pwf'), `${this.connection.user}\n${password}\n`, { mode: 0o600, flag: 'wx' });
    this.directory = directory;
    process.once('exit', this.removeOnExit);
    return join(directory, 'pwf');
  }

  private async passwordFromFile(path: string): Promise<string> {
    const text = await readFile(path, 'utf8').catch((error) => {
      throw fromFsError(error, 'read the xe password file', path);
    });
    const lines = text.split(/\r?\n/);
    // xe's format names the user first; a one-line file is just the password.
    return lines.length >= 2 && lines[1] !== '' ? lines[1] : lines[0];
  }

  dispose(): void {
    if (!this.directory) return;
    rmSync(this.directory, { recursive: true, force: true });
    this.directory = undefined;
    process.removeListener('exit', this.removeOnExit);
  }
}
