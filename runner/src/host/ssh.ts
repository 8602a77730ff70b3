// The ssh host: `xe` and every file operation run on the target through OpenSSH. One
// multiplexed connection per run (ControlMaster in a private 0700 directory), so a command
// costs a channel on an open connection instead of a new handshake. Host keys are checked
// (StrictHostKeyChecking=yes unless accept-new is asked for), authentication is by key or
// agent only (BatchMode). Every word of every remote command is single-quoted (quote.ts);
// the logic lives in constant scripts (ssh-scripts.ts) that take paths as "$1", "$2".

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostError } from './errors';
import { acquireLock, type LockFiles } from './lock';
import { assertRemovable, compareNames } from './paths';
import { runBinary, runText, type ProcessOptions, type ProcessResult } from './process';
import { posixCommandLine, safePathOperand } from './quote';
import {
  EXIT_EXISTS,
  EXIT_NOT_FOUND,
  STDOUT_FILE_EXISTS,
  STDOUT_FILE_FAILED,
  scripts,
  watchdog,
} from './ssh-scripts';
import { parseSshTarget, sshBaseArgs, type SshHostOptions } from './ssh-options';
import type { CommandResult, FileInfo, Host, HostLock, RunOptions } from './types';

export type { SshHostOptions } from './ssh-options';
export { parseSshTarget } from './ssh-options';

/** ssh's own failures (connection, authentication, host key) exit with 255. */
const SSH_FAILED = 255;

export interface SshHost extends Host {
  /** The master connection's socket (in a private 0700 directory); gone after close(). */
  readonly controlPath: string;
}

export async function createSshHost(options: SshHostOptions): Promise<SshHost> {
  const target = parseSshTarget(options.target);
  const sshPath = options.sshPath ?? 'ssh';
  const xePath = options.xePath ?? 'xe';
  const description = `ssh ${options.target}`;
  const controlDirectory = mkdtempSync(join(tmpdir(), 'vmbackup-ssh-')); // mode 0700
  const controlPath = join(controlDirectory, 'mux');
  const baseArgs = sshBaseArgs(options, target, controlPath);
  const sessions = new Semaphore(options.maxSessions ?? 8);
  let closed = false;

  function sshArgs(words: readonly string[]): string[] {
    return [...baseArgs, '--', target.host, posixCommandLine(words)];
  }

  function transportError(result: ProcessResult<unknown>): HostError {
    const reason = result.stderr.trim() || `ssh exited with status ${SSH_FAILED}`;
    return new HostError('ETRANSPORT', `${description}: ${reason}`);
  }

  async function remoteText(words: readonly string[], processOptions: ProcessOptions = {}): Promise<ProcessResult<string>> {
    if (closed) throw new HostError('EINVAL', `${description}: the connection was closed`);
    const result = await sessions.use(() => runText(sshPath, sshArgs(words), processOptions));
    if (result.exitCode === SSH_FAILED) throw transportError(result);
    return result;
  }

  async function remoteBinary(words: readonly string[], processOptions: ProcessOptions = {}): Promise<ProcessResult<Buffer>> {
    if (closed) throw new HostError('EINVAL', `${description}: the connection was closed`);
    const result = await sessions.use(() => runBinary(sshPath, sshArgs(words), processOptions));
    if (result.exitCode === SSH_FAILED) throw transportError(result);
    return result;
  }

  /** Run one of the fixed scripts with its arguments; failures become HostErrors. */
  async function script(
    name: keyof typeof scripts,
    args: readonly string[],
    processOptions: ProcessOptions = {},
  ): Promise<ProcessResult<Buffer>> {
    const result = await remoteBinary(['sh', '-c', scripts[name], 'vmbackup', ...args], processOptions);
    if (result.exitCode === 0) return result;
    const path = args[0] ?? '';
    if (result.exitCode === EXIT_NOT_FOUND) throw new HostError('ENOENT', `${name} ${path}: no such file or directory on ${target.host}`);
    if (result.exitCode === EXIT_EXISTS) throw new HostError('EEXIST', `${name} ${path}: already exists on ${target.host}`);
    const detail = result.stderr.trim();
    const code = /not empty/i.test(detail) ? 'ENOTEMPTY' : 'EIO';
    throw new HostError(code, `${name} ${path} on ${target.host} failed: ${detail || `exit status ${result.exitCode}`}`);
  }

  async function runRemote(program: string, args: string[], runOptions: RunOptions = {}): Promise<CommandResult> {
    if (runOptions.input !== undefined && runOptions.stdoutFile === undefined) {
      // The program reads our input from the channel: no watchdog (it would read it too).
      return remoteText([program, ...args], { input: runOptions.input, signal: runOptions.signal });
    }
    const outFile = runOptions.stdoutFile === undefined ? '' : safePathOperand(runOptions.stdoutFile);
    const result = await remoteText(['sh', '-c', watchdog, 'vmbackup', outFile, program, ...args], {
      signal: runOptions.signal,
      ...(runOptions.input !== undefined ? { input: runOptions.input } : {}),
    });
    if (outFile !== '' && result.stderr.startsWith(STDOUT_FILE_EXISTS)) {
      throw new HostError('EEXIST', `create ${runOptions.stdoutFile}: already exists on ${target.host}`);
    }
    if (outFile !== '' && result.stderr.includes(STDOUT_FILE_FAILED)) {
      const missing = /nonexistent|no such file/i.test(result.stderr);
      throw new HostError(missing ? 'ENOENT' : 'EIO', `create ${runOptions.stdoutFile} on ${target.host} failed: ${result.stderr.trim()}`);
    }
    return result;
  }

  const lockFiles: LockFiles = {
    async createExclusive(path, content) {
      try {
        await script('createExclusive', [safePathOperand(path)], { input: content });
        return true;
      } catch (error) {
        if (error instanceof HostError && error.code === 'EEXIST') return false;
        throw error;
      }
    },
    async readText(path) {
      try {
        return (await script('readFile', [safePathOperand(path)])).stdout.toString('utf8');
      } catch (error) {
        if (error instanceof HostError && error.code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async removeFile(path) {
      await script('removeFile', [safePathOperand(path)]);
    },
    async makeDirectoryExclusive(path) {
      try {
        await script('makeDirectoryExclusive', [safePathOperand(path)]);
        return true;
      } catch (error) {
        if (error instanceof HostError && error.code === 'EEXIST') return false;
        throw error;
      }
    },
    async removeDirectory(path) {
      await script('removeDirectory', [safePathOperand(path)]).catch(() => undefined);
    },
  };

  function shutdownSync(): void {
    spawnSync(sshPath, [...baseArgs, '-O', 'exit', '--', target.host], { stdio: 'ignore', timeout: 5000 });
    rmSync(controlDirectory, { recursive: true, force: true });
  }
  process.once('exit', shutdownSync);

  let cachedHostname: string | undefined;
  const host: SshHost = {
    description,
    controlPath,
    xe: (args, runOptions) => runRemote(xePath, args, runOptions),
    run: runRemote,
    async hostname() {
      cachedHostname ??= (await script('hostname', [])).stdout.toString('utf8').trim();
      return cachedHostname;
    },
    async freeBytes(path) {
      const text = (await script('freeBytes', [safePathOperand(path)])).stdout.toString('utf8');
      const free = Number(text.trim().split('\n').pop());
      if (!Number.isFinite(free)) throw new HostError('EIO', `free space of ${path} on ${target.host}: unexpected df output ${JSON.stringify(text)}`);
      return free;
    },
    async exists(path) {
      return (await host.stat(path)) !== undefined;
    },
    async stat(path) {
      try {
        const [entry] = parseFindRecords((await script('stat', [safePathOperand(path)])).stdout);
        return entry ? { ...entry, name: path.split('/').filter(Boolean).pop() ?? path } : undefined;
      } catch (error) {
        if (error instanceof HostError && error.code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async list(path) {
      const entries = parseFindRecords((await script('list', [path])).stdout);
      return entries.sort((a, b) => compareNames(a.name, b.name));
    },
    async mkdir(path) {
      await script('mkdir', [path]);
    },
    async readFile(path) {
      return (await script('readFile', [path])).stdout;
    },
    async writeFile(path, data) {
      await script('writeFile', [path], { input: data });
    },
    async appendFile(path, data) {
      await script('appendFile', [path], { input: data });
    },
    async remove(path) {
      assertRemovable(path);
      await script('remove', [path]);
    },
    async rename(from, to) {
      await script('rename', [from, to]);
    },
    lock(path): Promise<HostLock> {
      return acquireLock(lockFiles, path);
    },
    async close() {
      if (closed) return;
      closed = true;
      process.removeListener('exit', shutdownSync);
      await runText(sshPath, [...baseArgs, '-O', 'exit', '--', target.host]).catch(() => undefined);
      rmSync(controlDirectory, { recursive: true, force: true });
    },
  };

  // Open the master connection now, so a wrong host key or a refused key is reported
  // before the run starts, and concurrent commands later share one connection.
  try {
    await host.hostname();
  } catch (error) {
    await host.close();
    throw error;
  }
  return host;
}

/** `find -printf '%y %s %T@ NAME\0'` records. */
function parseFindRecords(output: Buffer): FileInfo[] {
  const entries: FileInfo[] = [];
  let start = 0;
  for (let end = output.indexOf(0, start); end !== -1; start = end + 1, end = output.indexOf(0, start)) {
    const record = output.subarray(start, end).toString('utf8');
    const first = record.indexOf(' ');
    const second = record.indexOf(' ', first + 1);
    const third = record.indexOf(' ', second + 1);
    entries.push({
      name: record.slice(third + 1),
      isDirectory: record.slice(0, first) === 'd',
      size: Number(record.slice(first + 1, second)),
      mtimeMs: Number(record.slice(second + 1, third)) * 1000,
    });
  }
  return entries;
}

/** At most `limit` ssh sessions at once: sshd refuses more than MaxSessions per connection. */
class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly limit: number) {}

  async use<T>(task: () => Promise<T>): Promise<T> {
    // A finishing task hands its slot straight to the next waiter, so none is counted twice.
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
