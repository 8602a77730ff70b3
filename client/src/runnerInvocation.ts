// How the extension starts the bundled runner (dist/vmbackup.js): with VS Code's own Node
// (`process.execPath` + ELECTRON_RUN_AS_NODE=1), `--json` events on stdout, and the pool
// password in the environment (named by --password-env), never on the command line where
// `ps` would show it. Pure (no `vscode` import) so the argument list is unit-tested; the
// platform is a parameter, so Windows' path and environment rules are tested on Linux too.

import { posix, win32 } from 'node:path';

export type RunAction = 'preview' | 'backup' | 'dry-run';

export interface RunnerSettings {
  poolUrl: string;
  /** `vmbackup.pool.certificateFingerprint`: the pinned sha256 of a self-signed pool certificate. */
  certificateFingerprint: string;
  /** `vmbackup.runner.transport`: `xe` on this machine, over ssh, or XenAPI alone (`--transport xapi`). */
  transport: 'local' | 'ssh' | 'xapi';
  sshTarget: string;
  xePath: string;
  extraArgs: readonly string[];
  env: Readonly<Record<string, string>>;
}

export interface RunnerInvocation {
  command: string;
  args: string[];
  env: Record<string, string | undefined>;
  cwd: string;
  /**
   * How Stop asks the runner to clean up and end: SIGTERM, or on Windows — where Node's kill()
   * ends a child at once, leaving its snapshot behind — a message on the IPC channel.
   */
  stopBy: 'signal' | 'message';
}

/** Name of the environment variable that carries the password to the runner. */
export const PASSWORD_ENV = 'VMBACKUP_PASSWORD';

export class RunnerSettingsError extends Error {}

export function buildRunnerInvocation(options: {
  /** VS Code's executable (`process.execPath`), e.g. `C:\\Program Files\\Microsoft VS Code\\Code.exe`:
   *  spawned as is (no shell), so spaces need no quoting. */
  nodePath: string;
  /** `process.platform` of the extension host: Windows paths and environment names follow win32 rules. */
  platform: NodeJS.Platform;
  runnerScript: string;
  configPath: string;
  action: RunAction;
  settings: RunnerSettings;
  password: string;
  baseEnv: Readonly<Record<string, string | undefined>>;
  extraArgs?: readonly string[];
}): RunnerInvocation {
  const { settings } = options;
  const args = [options.runnerScript, '--json', '--password-env', PASSWORD_ENV];
  args.push(...poolArgs(settings));
  if (options.action === 'dry-run') args.push('--dry-run');
  // The config file is the first positional (its path is absolute, so it never looks like an
  // option); extra arguments come after it because the original's optional words
  // (`compress=True`, `pre_clean=true`) must follow it, and --flags may appear anywhere.
  args.push(options.configPath);
  if (options.action === 'preview') args.push('preview');
  args.push(...settings.extraArgs, ...(options.extraArgs ?? []));
  return {
    command: options.nodePath,
    args,
    ...runnerProcessParts(options.platform, options.baseEnv, settings, options.password, options.configPath),
  };
}

/**
 * The pool, its pinned certificate and the transport (`--xapi`, `--xapi-fingerprint`, and
 * `--transport xapi`, `--xe` or `--ssh`): what every command that talks to the pool takes.
 */
export function poolArgs(settings: RunnerSettings): string[] {
  const args: string[] = [];
  if (settings.poolUrl) args.push('--xapi', settings.poolUrl);
  // The same pin the language server uses, so Run Preview/Backup reach the same pool safely.
  if (settings.poolUrl && settings.certificateFingerprint)
    args.push('--xapi-fingerprint', settings.certificateFingerprint);
  if (settings.transport === 'xapi') {
    // Everything through XenAPI: the pool URL is where the runner goes; there is no `xe`.
    if (!settings.poolUrl) {
      throw new RunnerSettingsError(
        'vmbackup.pool.url must name the pool (https://pool-master) when vmbackup.runner.transport is "xapi"',
      );
    }
    args.push('--transport', 'xapi');
  } else if (settings.xePath) args.push('--xe', settings.xePath);
  return [...args, ...sshArgs(settings)];
}

/** `--ssh user@host[:port]` with the ssh transport (checked), nothing otherwise. */
export function sshArgs(settings: RunnerSettings): string[] {
  if (settings.transport !== 'ssh') return [];
  if (!/^[^@\s]+@[^@\s:]+(:\d{1,5})?$/.test(settings.sshTarget)) {
    throw new RunnerSettingsError(
      'vmbackup.runner.sshTarget must be user@host[:port] when vmbackup.runner.transport is "ssh" ' +
        `(got "${settings.sshTarget}")`,
    );
  }
  return ['--ssh', settings.sshTarget];
}

/**
 * Environment, working directory (the file's folder) and stop method of a runner process; the
 * password, when one is given, only in the environment. undefined removes an inherited one.
 */
export function runnerProcessParts(
  platform: NodeJS.Platform,
  baseEnv: Readonly<Record<string, string | undefined>>,
  settings: RunnerSettings,
  password: string | undefined,
  file: string,
): Pick<RunnerInvocation, 'env' | 'cwd' | 'stopBy'> {
  const windows = platform === 'win32';
  const env = mergeEnvironment(baseEnv, settings.env, windows);
  setVariable(env, 'ELECTRON_RUN_AS_NODE', '1', windows);
  if (password !== undefined) setVariable(env, PASSWORD_ENV, password, windows);
  else for (const key of Object.keys(env)) if (key.toUpperCase() === PASSWORD_ENV) delete env[key];
  const cwd = (windows ? win32 : posix).dirname(file);
  return { env, cwd, stopBy: windows ? 'message' : 'signal' };
}

/**
 * Windows environment names ignore case (`Path` is `PATH`): a second spelling in the child's
 * block would leave it to chance which one the runner sees. There a setting replaces the
 * variable of any case, and so do the password and ELECTRON_RUN_AS_NODE.
 */
function setVariable(env: Record<string, string | undefined>, name: string, value: string, windows: boolean): void {
  if (windows) {
    for (const key of Object.keys(env)) if (key.toUpperCase() === name.toUpperCase()) delete env[key];
  }
  env[name] = value;
}

function mergeEnvironment(
  base: Readonly<Record<string, string | undefined>>,
  extra: Readonly<Record<string, string>>,
  windows: boolean,
): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...base };
  for (const [name, value] of Object.entries(extra)) setVariable(env, name, value, windows);
  return env;
}

/** Reads the runner settings from the `vmbackup` section as VS Code returns it. */
export function normaliseRunnerSettings(section: { get<T>(key: string): T | undefined }): RunnerSettings {
  const str = (key: string): string => {
    const v = section.get<unknown>(key);
    return typeof v === 'string' ? v.trim() : '';
  };
  const extra = section.get<unknown>('runner.extraArgs');
  const env = section.get<unknown>('runner.env');
  return {
    poolUrl: str('pool.url'),
    certificateFingerprint: str('pool.certificateFingerprint'),
    transport: transportOf(str('runner.transport')),
    sshTarget: str('runner.sshTarget'),
    xePath: str('runner.xePath'),
    extraArgs: Array.isArray(extra) ? extra.filter((a): a is string => typeof a === 'string') : [],
    env:
      env !== null && typeof env === 'object' && !Array.isArray(env)
        ? Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'))
        : {},
  };
}

function transportOf(value: string): RunnerSettings['transport'] {
  return value === 'ssh' || value === 'xapi' ? value : 'local';
}
