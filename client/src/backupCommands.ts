// The runner command lines behind the Backups view: `list` and `verify` (read-only; no pool
// password, they take only --json and the ssh transport), `restore` and `healthcheck` (they
// talk to the pool: the password goes through the environment as for a run, never argv).
// Every one runs dist/vmbackup.js with VS Code's Node, exactly as Run Backup does, so the ssh
// transport configured for runs also reaches the backups. Pure (no `vscode` import).
import type { BackupListing, DeleteReport, VerifyReport } from 'vmbackup-runner/backups/types';
import {
  PASSWORD_ENV,
  poolArgs,
  runnerProcessParts,
  sshArgs,
  type RunnerInvocation,
  type RunnerSettings,
} from './runnerInvocation';

export interface InvocationBase {
  nodePath: string;
  platform: NodeJS.Platform;
  runnerScript: string;
  settings: RunnerSettings;
  baseEnv: Readonly<Record<string, string | undefined>>;
}

/** `configPath`: the config the command is about; its folder is the working directory, as for a run. */
function invocation(base: InvocationBase, args: string[], configPath: string, password?: string): RunnerInvocation {
  return {
    command: base.nodePath,
    args: [base.runnerScript, ...args],
    ...runnerProcessParts(base.platform, base.baseEnv, base.settings, password, configPath),
  };
}

/** `vmbackup list --json [--ssh T] [pre_clean=true] -- CONFIG`: the config's backup_dir, as its runs see it. */
export function listInvocation(base: InvocationBase, configPath: string): RunnerInvocation {
  // A run's `pre_clean=true` word changes which backups the next run deletes: the marks follow it.
  const preClean = base.settings.extraArgs.filter((a) => /^pre_clean=/i.test(a)).slice(-1);
  return invocation(base, ['list', '--json', ...sshArgs(base.settings), ...preClean, '--', configPath], configPath);
}

/** `vmbackup verify --json [--ssh T] -- FOLDER...`. */
export function verifyInvocation(
  base: InvocationBase,
  folders: readonly string[],
  configPath: string,
): RunnerInvocation {
  return invocation(base, ['verify', '--json', ...sshArgs(base.settings), '--', ...folders], configPath);
}

/**
 * `vmbackup delete --json [--ssh T] --backup-dir=DIR -- FOLDER...`: the runner applies Delete's
 * rule again on the disk as it is now (local or the ssh target) and deletes, or refuses.
 */
export function deleteInvocation(
  base: InvocationBase,
  folders: readonly string[],
  backupDir: string,
  configPath: string,
): RunnerInvocation {
  const args = ['delete', '--json', ...sshArgs(base.settings), `--backup-dir=${backupDir}`, '--', ...folders];
  return invocation(base, args, configPath);
}

export interface RestoreChoice {
  /** The new VM's name (restore only; healthcheck names its temporary VM itself). */
  name?: string;
  /** SR uuid. */
  sr?: string;
}

/**
 * `vmbackup restore|healthcheck --json --password-env VMBACKUP_PASSWORD [pool, xe, ssh] [--name=N] [--sr=S] -- FOLDER`.
 * `--flag=value` keeps a name that starts with `--` a value; `--` keeps the folder a positional.
 */
export function restoreInvocation(
  base: InvocationBase,
  verb: 'restore' | 'healthcheck',
  folder: string,
  choice: RestoreChoice,
  password: string,
  configPath: string,
): RunnerInvocation {
  const args: string[] = [verb, '--json', '--password-env', PASSWORD_ENV, ...poolArgs(base.settings)];
  if (verb === 'restore' && choice.name !== undefined) args.push(`--name=${choice.name}`);
  if (choice.sr !== undefined) args.push(`--sr=${choice.sr}`);
  args.push('--', folder);
  return invocation(base, args, configPath, password);
}

/** The one JSON document a `--json` list/verify prints (the last line that is one). */
function lastJson(stdout: string, type: string): unknown {
  const whole = stdout.trim();
  const candidates = [whole, ...whole.split(/\r?\n/).reverse()];
  for (const text of candidates) {
    if (!text.startsWith('{')) continue;
    try {
      const value: unknown = JSON.parse(text);
      if (value !== null && typeof value === 'object' && (value as { type?: unknown }).type === type) return value;
    } catch {
      // not this line
    }
  }
  return undefined;
}

export class RunnerOutputError extends Error {}

/** The listing from `list --json`'s stdout; throws with the runner's stderr when there is none. */
export function parseListing(stdout: string, stderr: string): BackupListing {
  const value = lastJson(stdout, 'backup-list') as BackupListing | undefined;
  if (!value || !Array.isArray(value.vms)) throw new RunnerOutputError(failure('list', stderr));
  return value;
}

export function parseVerifyReport(stdout: string, stderr: string): VerifyReport {
  const value = lastJson(stdout, 'backup-verify') as VerifyReport | undefined;
  if (!value || !Array.isArray(value.folders)) throw new RunnerOutputError(failure('verify', stderr));
  return value;
}

export function parseDeleteReport(stdout: string, stderr: string): DeleteReport {
  const value = lastJson(stdout, 'backup-delete') as DeleteReport | undefined;
  if (!value || !Array.isArray(value.folders)) throw new RunnerOutputError(failure('delete', stderr));
  return value;
}

function failure(command: string, stderr: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.length ? lines.join(' ') : `vmbackup ${command} printed no report`;
}
