// Starting a program on THIS machine (the program itself, or `ssh`) through execa with an
// argv array — never a shell — and mapping the ways it can fail onto HostError.

import { execa, type Options } from 'execa';
import { HostError } from './errors';

/** Environment variables that hold secrets: never passed on to a program we start. */
const secretVariables = new Set(['VMBACKUP_PASSWORD']);

/** Also keep this variable from child processes (the one `--password-env=NAME` names). */
export function hideFromChildren(name: string): void {
  secretVariables.add(name);
}

/**
 * This process's environment without the secrets, plus `extra`. On Windows variable names ignore
 * case (`vmbackup_password` is VMBACKUP_PASSWORD there), so the secrets are matched without case.
 */
export function childEnvironment(
  extra: Record<string, string> = {},
  source: { env: NodeJS.ProcessEnv; platform: NodeJS.Platform } = { env: process.env, platform: process.platform },
): Record<string, string> {
  const windows = source.platform === 'win32';
  const secret = (key: string) =>
    windows ? [...secretVariables].some((name) => name.toUpperCase() === key.toUpperCase()) : secretVariables.has(key);
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(source.env)) {
    if (value !== undefined && !secret(key)) env[key] = value;
  }
  return { ...env, ...extra };
}

export interface ProcessOptions {
  input?: string | Buffer;
  /** Write the program's stdout straight into this open file (no buffering in node). */
  stdoutFd?: number;
  signal?: AbortSignal;
  env?: Record<string, string>;
  /** Own process group and session: a terminal's Ctrl-C reaches the runner, which decides. */
  detached?: boolean;
}

export interface ProcessResult<Output> {
  exitCode: number;
  stdout: Output;
  stderr: string;
}

/** Run and capture stdout as text (exactly, final newline kept). */
export function runText(
  program: string,
  args: readonly string[],
  options: ProcessOptions = {},
): Promise<ProcessResult<string>> {
  return run(program, args, options, 'utf8') as Promise<ProcessResult<string>>;
}

/** Run and capture stdout as bytes (file contents). */
export function runBinary(
  program: string,
  args: readonly string[],
  options: ProcessOptions = {},
): Promise<ProcessResult<Buffer>> {
  return run(program, args, options, 'buffer') as Promise<ProcessResult<Buffer>>;
}

async function run(
  program: string,
  args: readonly string[],
  options: ProcessOptions,
  encoding: 'utf8' | 'buffer',
): Promise<ProcessResult<string | Buffer>> {
  if (options.signal?.aborted) throw abortError(program);
  const execaOptions: Options = {
    reject: false,
    stripFinalNewline: false,
    encoding,
    // The stderr of a failing command is always text for the log.
    stderr: 'pipe',
    stdout: (options.stdoutFd ?? 'pipe') as 'pipe',
    // Without input, stdin stays an open pipe: over ssh the remote watchdog (ssh.ts) reads
    // it and kills the remote command when this end goes away.
    ...(options.input !== undefined ? { input: options.input } : {}),
    ...(options.signal ? { cancelSignal: options.signal } : {}),
    // The password reaches `xe` through a pipe, never through an inherited variable.
    env: childEnvironment(options.env),
    extendEnv: false,
    ...(options.detached ? { detached: true } : {}),
    forceKillAfterDelay: 5000,
  };
  const result = await execa(program, [...args], execaOptions);
  if (result.isCanceled) throw abortError(program);
  if (result.exitCode === undefined) {
    const cause: unknown = result.cause;
    const detail = cause instanceof Error ? cause.message : result.shortMessage;
    throw new HostError('ECOMMAND', `cannot run ${program}: ${detail}`);
  }
  const stderr =
    typeof result.stderr === 'string' ? result.stderr : Buffer.from(result.stderr as Uint8Array).toString('utf8');
  const stdout = options.stdoutFd !== undefined ? (encoding === 'buffer' ? Buffer.alloc(0) : '') : result.stdout;
  return {
    exitCode: result.exitCode,
    stdout:
      encoding === 'buffer' && !(stdout instanceof Buffer)
        ? Buffer.from(stdout as Uint8Array)
        : (stdout as string | Buffer),
    stderr,
  };
}

function abortError(program: string): HostError {
  return new HostError('EABORTED', `${program} was stopped: the run was cancelled`);
}
