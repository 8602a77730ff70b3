// The ssh host: `xe` and every file operation run on the target through OpenSSH. One
// multiplexed connection per run (ControlMaster in a private 0700 directory), so a command
// costs a channel on an open connection instead of a new handshake. Host keys are checked
// (StrictHostKeyChecking=yes unless accept-new is asked for), authentication is by key or
// agent only (BatchMode). Commands (`xe`, `df`, ...): every word single-quoted (quote.ts),
// run under a watchdog that stops them when the run goes away (ssh-scripts.ts). Files: one
// long-lived sftp channel on the same connection (sftp-files.ts) — no shell involved — or,
// on a server without the sftp subsystem, constant scripts taking paths as "$1", "$2".
// Without multiplexing (Windows' OpenSSH, or `multiplex: false`) the same commands each open
// their own connection and the sftp channel is a connection of its own, kept for the run.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { HostError } from './errors';
import { acquireLock } from './lock';
import type { RemoteFiles } from './remote-files';
import { SftpSession } from './sftp-protocol';
import { createSftpFiles } from './sftp-files';
import { createShellFiles } from './shell-files';
import { childEnvironment, runBinary, runText, type ProcessOptions, type ProcessResult } from './process';
import { posixCommandLine, safePathOperand } from './quote';
import { EXIT_EXISTS, EXIT_NOT_FOUND, STDOUT_FILE_EXISTS, STDOUT_FILE_FAILED, scripts, watchdog } from './ssh-scripts';
import { controlDirectoryBase, parseSshTarget, sshBaseArgs, type SshHostOptions } from './ssh-options';
import type { CommandResult, Host, HostLock, RunOptions } from './types';

export type { SshHostOptions } from './ssh-options';
export { parseSshTarget } from './ssh-options';

/** ssh's own failures (connection, authentication, host key) exit with 255. */
const SSH_FAILED = 255;

export interface SshHost extends Host {
  /** The master connection's socket (in a private 0700 directory); gone after close().
   *  Undefined without multiplexing. */
  readonly controlPath: string | undefined;
  /** Whether commands share one master connection (ssh-options.ts sshMultiplexing). */
  readonly multiplexed: boolean;
  /** How file operations travel: the sftp subsystem, or shell commands when it is off. */
  readonly fileTransport: 'sftp' | 'shell';
}

export async function createSshHost(options: SshHostOptions): Promise<SshHost> {
  const target = parseSshTarget(options.target);
  const sshPath = options.sshPath ?? 'ssh';
  const xePath = options.xePath ?? 'xe';
  const description = `ssh ${options.target}`;
  const multiplexed = options.multiplex ?? true;
  const controlDirectory = multiplexed
    ? mkdtempSync(join(controlDirectoryBase(tmpdir()), 'vmbackup-ssh-')) // mode 0700
    : undefined;
  const controlPath = controlDirectory === undefined ? undefined : join(controlDirectory, 'mux');
  const baseArgs = sshBaseArgs(options, target, controlPath);
  // Multiplexed: sshd's MaxSessions (10) bounds the channels of one connection. Without it every
  // command is a new connection, and sshd starts dropping unauthenticated ones at MaxStartups
  // (10 by default, counting other clients' too): stay well below.
  const sessions = new Semaphore(options.maxSessions ?? (multiplexed ? 8 : 4));
  let closed = false;

  function sshArgs(words: readonly string[]): string[] {
    return [...baseArgs, '--', target.host, posixCommandLine(words)];
  }

  function transportError(result: ProcessResult<unknown>): HostError {
    const reason = result.stderr.trim() || `ssh exited with status ${SSH_FAILED}`;
    return new HostError('ETRANSPORT', `${description}: ${reason}`);
  }

  async function remoteText(
    words: readonly string[],
    processOptions: ProcessOptions = {},
  ): Promise<ProcessResult<string>> {
    if (closed) throw new HostError('EINVAL', `${description}: the connection was closed`);
    const result = await sessions.use(() => runText(sshPath, sshArgs(words), processOptions));
    if (result.exitCode === SSH_FAILED) throw transportError(result);
    return result;
  }

  async function remoteBinary(
    words: readonly string[],
    processOptions: ProcessOptions = {},
  ): Promise<ProcessResult<Buffer>> {
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
    if (result.exitCode === EXIT_NOT_FOUND)
      throw new HostError('ENOENT', `${name} ${path}: no such file or directory on ${target.host}`);
    if (result.exitCode === EXIT_EXISTS)
      throw new HostError('EEXIST', `${name} ${path}: already exists on ${target.host}`);
    const detail = result.stderr.trim();
    const code = /not empty/i.test(detail) ? 'ENOTEMPTY' : /read-only file system/i.test(detail) ? 'EROFS' : 'EIO';
    throw new HostError(
      code,
      `${name} ${path} on ${target.host} failed: ${detail || `exit status ${result.exitCode}`}`,
    );
  }

  /**
   * One of the fixed scripts with its standard output streamed back (a whole export file
   * does not fit in memory). Holds an ssh session slot until the stream ends or is left.
   */
  async function* streamScript(name: keyof typeof scripts, args: readonly string[]): AsyncGenerator<Buffer> {
    if (closed) throw new HostError('EINVAL', `${description}: the connection was closed`);
    let release = () => undefined as void;
    const slot = new Promise<void>((resolve) => (release = resolve));
    await new Promise<void>((started) => void sessions.use(() => (started(), slot)));
    const child = execa(sshPath, sshArgs(['sh', '-c', scripts[name], 'vmbackup', ...args]), {
      buffer: false,
      reject: false,
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString('utf8');
    });
    let complete = false;
    try {
      for await (const chunk of child.stdout) yield chunk as Buffer;
      const result = await child;
      complete = true;
      if (result.exitCode === 0) return;
      const path = args[0] ?? '';
      const detail = stderr.trim() || `exit status ${result.exitCode}`;
      if (result.exitCode === SSH_FAILED) throw new HostError('ETRANSPORT', `${description}: ${detail}`);
      if (result.exitCode === EXIT_NOT_FOUND) {
        throw new HostError('ENOENT', `${name} ${path}: no such file or directory on ${target.host}`);
      }
      throw new HostError('EIO', `${name} ${path} on ${target.host} failed: ${detail}`);
    } finally {
      if (!complete) {
        child.kill();
        await child;
      }
      release();
    }
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
      const readOnly = /read-only file system/i.test(result.stderr);
      const code = missing ? 'ENOENT' : readOnly ? 'EROFS' : 'EIO';
      throw new HostError(code, `create ${runOptions.stdoutFile} on ${target.host} failed: ${result.stderr.trim()}`);
    }
    return result;
  }

  function shutdownSync(): void {
    if (controlDirectory === undefined) return;
    const env = childEnvironment();
    spawnSync(sshPath, [...baseArgs, '-O', 'exit', '--', target.host], { stdio: 'ignore', timeout: 5000, env });
    rmSync(controlDirectory, { recursive: true, force: true });
  }
  if (multiplexed) process.once('exit', shutdownSync);

  let cachedHostname: string | undefined;
  const hostname = async () => {
    cachedHostname ??= (await script('hostname', [])).stdout.toString('utf8').trim();
    return cachedHostname;
  };

  // The sftp channel: started after the master connection, restarted once if it dies.
  let sftpChild: ReturnType<typeof execa> | undefined;
  let sftp: Promise<SftpSession> | undefined;
  let sftpSession: SftpSession | undefined;
  async function openSftp(): Promise<SftpSession> {
    if (closed) throw new HostError('EINVAL', `${description}: the connection was closed`);
    const child = execa(sshPath, [...baseArgs, '-s', '--', target.host, 'sftp'], {
      env: childEnvironment(),
      extendEnv: false,
      buffer: false,
      reject: false,
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'pipe',
    });
    const session = new SftpSession(child.stdin, child.stdout);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString('utf8');
    });
    void child.then(() => session.fail(new Error(stderr.trim() || 'the sftp channel ended')));
    try {
      await session.init();
    } catch (error) {
      // ssh exits 255 both when the server has no sftp subsystem and when the connection is
      // gone: only its own words tell them apart.
      const timer = setTimeout(() => child.kill(), 2000);
      await child.catch(() => undefined);
      clearTimeout(timer);
      const reason = stderr.trim() || (error as Error).message;
      if (/subsystem request failed/i.test(stderr)) {
        throw new HostError('ETRANSPORT', `${description}: no sftp subsystem: ${reason}`);
      }
      throw new HostError('ETRANSPORT', `${description}: the ssh connection failed: ${reason}`);
    }
    sftpChild = child;
    sftpSession = session;
    return session;
  }
  function sftpChannel(): Promise<SftpSession> {
    if (!sftp || sftpSession?.closed) {
      sftp = openSftp();
      sftp.catch(() => (sftp = undefined));
    }
    return sftp;
  }

  let fileTransport: 'sftp' | 'shell' = options.fileTransport ?? 'sftp';
  let files: RemoteFiles = createShellFiles(script, target.host, streamScript);

  const host: SshHost = {
    description,
    // The pool host's dom0: POSIX names and paths, whatever machine the runner runs on.
    nameRules: 'posix',
    pathSyntax: 'posix',
    controlPath,
    multiplexed,
    get fileTransport() {
      return fileTransport;
    },
    xe: (args, runOptions) => runRemote(xePath, args, runOptions),
    run: runRemote,
    hostname,
    freeBytes: (path) => files.freeBytes(path),
    async exists(path) {
      return (await files.stat(path)) !== undefined;
    },
    stat: (path) => files.stat(path),
    list: (path) => files.list(path),
    mkdir: (path) => files.mkdir(path),
    readFile: (path) => files.readFile(path),
    readStream: (path) => files.readStream(path),
    writeFile: (path, data) => files.writeFile(path, data),
    appendFile: (path, data) => files.appendFile(path, data),
    remove: (path) => files.remove(path),
    rename: (from, to) => files.rename(from, to),
    lock(path): Promise<HostLock> {
      return acquireLock(files.lockFiles, path);
    },
    async close() {
      if (closed) return;
      closed = true;
      process.removeListener('exit', shutdownSync);
      await files.close();
      if (sftpChild) {
        sftpChild.stdin?.end();
        const ended = sftpChild.then(() => undefined);
        const timer = setTimeout(() => sftpChild?.kill(), 2000);
        await ended;
        clearTimeout(timer);
      }
      if (controlDirectory !== undefined) {
        await runText(sshPath, [...baseArgs, '-O', 'exit', '--', target.host]).catch(() => undefined);
        rmSync(controlDirectory, { recursive: true, force: true });
      }
    },
  };

  // Open the master connection now, so a wrong host key or a refused key is reported
  // before the run starts, and concurrent commands later share one connection (without
  // multiplexing: the first command proves the host key and the key the same way).
  try {
    await host.hostname();
    if (fileTransport === 'sftp') {
      try {
        await sftpChannel();
        files = createSftpFiles(sftpChannel, target.host);
      } catch {
        // The server disabled its sftp subsystem: every file operation becomes a command.
        fileTransport = 'shell';
      }
    }
  } catch (error) {
    await host.close();
    throw error;
  }
  return host;
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
