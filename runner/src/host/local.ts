// The local host: `xe` and backup files on this machine. On a pool host `xe` talks to the
// local xapi; off-host it gets `-s/-p/-pwf /dev/stdin/--nossl`. Every `xe` runs under the local
// watchdog (local-watchdog.ts): the password reaches it through a pipe — never on a command
// line, where `ps` would show it (one of VmBackup.py's weaknesses), and never in a file that a
// killed run could leave behind — and it stops when the runner dies, however it dies. It runs
// in its own session, so a terminal's Ctrl-C reaches the runner only, which decides.

import { createReadStream, existsSync } from 'node:fs';
import {
  appendFile,
  lstat,
  mkdir,
  open,
  readFile,
  readdir,
  rename,
  rm,
  rmdir,
  stat,
  statfs,
  writeFile,
} from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { HostError, fromFsError } from './errors';
import { acquireLock, type LockFiles } from './lock';
import { LOCAL_WATCHDOG } from './local-watchdog';
import { assertRemovable, compareNames } from './paths';
import { runText, type ProcessOptions } from './process';
import type { CommandResult, FileInfo, Host, HostLock, NameRules, RunOptions } from './types';

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
  /** Path rules of this machine (default process.platform): on win32 `\` separates too. */
  platform?: NodeJS.Platform;
  /** File-name rules of the backup disk (default: `windows` on win32, else `posix`). */
  nameRules?: NameRules;
}

/** The machine the runner runs on, as its local host sees it (injected by tests). */
export type LocalMachine = Required<Pick<LocalHostOptions, 'platform'>> & Pick<LocalHostOptions, 'nameRules'>;

export function createLocalHost(options: LocalHostOptions = {}): Host {
  const xePath = options.xePath ?? 'xe';
  const credentials = options.xeConnection ? new XeCredentials(options.xeConnection) : undefined;
  const platform = options.platform ?? process.platform;
  const separators = platform === 'win32' ? /[\\/]/ : '/';

  const host: Host = {
    description: options.xeConnection ? `local (xe -s ${options.xeConnection.server})` : 'local',
    nameRules: options.nameRules ?? (platform === 'win32' ? 'windows' : 'posix'),
    pathSyntax: platform === 'win32' ? 'win32' : 'posix',

    async xe(args, runOptions = {}) {
      if (runOptions.input !== undefined) {
        throw new HostError('EINVAL', 'xe takes no input on the local host (stdin carries its password)');
      }
      const mode = credentials ? 'pwf' : 'none';
      const connectionArgs = credentials ? credentials.args() : [];
      const input = credentials ? await credentials.stdinLines() : '';
      const argv = ['-c', LOCAL_WATCHDOG, 'vmbackup', mode, String(process.pid), xePath, ...args, ...connectionArgs];
      return runLocal('sh', argv, { ...runOptions, input, detached: true });
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
      const name = path.split(separators).filter(Boolean).pop() ?? path;
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
      return entries
        .filter((entry): entry is FileInfo => entry !== undefined)
        .sort((a, b) => compareNames(a.name, b.name));
    },
    async mkdir(path) {
      await mkdir(path, { recursive: true }).catch(async (error: NodeJS.ErrnoException) => {
        // A recursive mkdir reports ENOENT for any failure below an existing folder (EROFS,
        // EACCES...): one plain mkdir of the first missing level tells the real reason.
        if (error.code === 'ENOENT') await mkdir(firstMissingLevel(path)).catch((real) => (error = real));
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
      assertRemovable(path, platform);
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
    async close() {},
  };
  return host;
}

type LocalRunOptions = RunOptions & Pick<ProcessOptions, 'detached'>;

async function runLocal(program: string, args: string[], options: LocalRunOptions = {}): Promise<CommandResult> {
  const extra = options.detached ? { detached: true } : {};
  if (options.stdoutFile === undefined) {
    return runText(program, args, { input: options.input, signal: options.signal, env: options.env, ...extra });
  }
  // O_EXCL: an export never overwrites an existing file (a backup, or a name collision).
  const file = await open(options.stdoutFile, 'wx').catch((error) => {
    throw fromFsError(error, 'create', options.stdoutFile as string);
  });
  try {
    const { input, signal, env } = options;
    const processOptions = { input, signal, env, stdoutFd: file.fd, ...extra };
    return await runText(program, args, processOptions);
  } finally {
    await file.close();
  }
}

/** The outermost folder of `path` that does not exist yet (`path` itself when its parent exists). */
function firstMissingLevel(path: string): string {
  let level = resolve(path);
  while (dirname(level) !== level && !existsSync(dirname(level))) level = dirname(level);
  return level;
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

/** Off-host connection arguments for xe; the user and password go to the watchdog's stdin. */
class XeCredentials {
  private password: string | undefined;

  constructor(private readonly connection: XeConnection) {
    if (connection.password === undefined && connection.passwordFile === undefined) {
      throw new HostError('EINVAL', `xe connection to ${connection.server}: a password or password file is needed`);
    }
    if (connection.password !== undefined) this.password = connection.password;
  }

  args(): string[] {
    const { server, port, noSsl } = this.connection;
    const portArgs = port !== undefined ? ['-p', String(port)] : [];
    return ['-s', server, ...portArgs, '-pwf', '/dev/stdin', ...(noSsl ? ['--nossl'] : [])];
  }

  async stdinLines(): Promise<string> {
    this.password ??= await this.passwordFromFile(this.connection.passwordFile as string);
    if (/[\r\n]/.test(this.password) || /[\r\n]/.test(this.connection.user)) {
      throw new HostError('EINVAL', 'the xe user or password holds a line break: xe reads them as lines');
    }
    return `${this.connection.user}\n${this.password}\n`;
  }

  private async passwordFromFile(path: string): Promise<string> {
    const text = await readFile(path, 'utf8').catch((error) => {
      throw fromFsError(error, 'read the xe password file', path);
    });
    const lines = text.split(/\r?\n/);
    // xe's format names the user first; a one-line file is just the password.
    return lines.length >= 2 && lines[1] !== '' ? lines[1] : lines[0];
  }
}
