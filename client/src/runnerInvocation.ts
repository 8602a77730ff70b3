// How the extension starts the bundled runner (dist/vmbackup.js): with VS Code's own Node
// (`process.execPath` + ELECTRON_RUN_AS_NODE=1), `--json` events on stdout, and the pool
// password in the environment (named by --password-env), never on the command line where
// `ps` would show it. Pure (no `vscode` import) so the argument list is unit-tested.

export type RunAction = 'preview' | 'backup' | 'dry-run';

export interface RunnerSettings {
  poolUrl: string;
  /** `vmbackup.pool.certificateFingerprint`: the pinned sha256 of a self-signed pool certificate. */
  certificateFingerprint: string;
  transport: 'local' | 'ssh';
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
}

/** Name of the environment variable that carries the password to the runner. */
export const PASSWORD_ENV = 'VMBACKUP_PASSWORD';

export class RunnerSettingsError extends Error {}

export function buildRunnerInvocation(options: {
  nodePath: string;
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
  if (settings.poolUrl) args.push('--xapi', settings.poolUrl);
  // The same pin the language server uses, so Run Preview/Backup reach the same pool safely.
  if (settings.poolUrl && settings.certificateFingerprint)
    args.push('--xapi-fingerprint', settings.certificateFingerprint);
  if (settings.xePath) args.push('--xe', settings.xePath);
  args.push(...sshArgs(settings));
  if (options.action === 'dry-run') args.push('--dry-run');
  // The config file is the first positional (its path is absolute, so it never looks like an
  // option); extra arguments come after it because the original's optional words
  // (`compress=True`, `pre_clean=true`) must follow it, and --flags may appear anywhere.
  args.push(options.configPath);
  if (options.action === 'preview') args.push('preview');
  args.push(...settings.extraArgs, ...(options.extraArgs ?? []));
  const env: Record<string, string | undefined> = { ...options.baseEnv, ...settings.env };
  env.ELECTRON_RUN_AS_NODE = '1';
  env[PASSWORD_ENV] = options.password;
  return { command: options.nodePath, args, env, cwd: dirnameOf(options.configPath) };
}

/** `--ssh user@host[:port]` with the ssh transport (checked), nothing with the local one. */
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

export function dirnameOf(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i <= 0 ? (i === 0 ? path.slice(0, 1) : '.') : path.slice(0, i);
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
    transport: str('runner.transport') === 'ssh' ? 'ssh' : 'local',
    sshTarget: str('runner.sshTarget'),
    xePath: str('runner.xePath'),
    extraArgs: Array.isArray(extra) ? extra.filter((a): a is string => typeof a === 'string') : [],
    env:
      env !== null && typeof env === 'object' && !Array.isArray(env)
        ? Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'))
        : {},
  };
}
