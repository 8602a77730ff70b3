// `vmbackup restore BACKUP_FOLDER [...]` and `vmbackup healthcheck BACKUP_FOLDER [...]`: the
// restore flags are taken here; the password and transport flags are handed to the run's own
// parser (cli/args.ts), so both commands accept exactly the same ones.
import {
  CliError,
  FLAGS_WITH_VALUE,
  parseArgs,
  type ParseContext,
  type PasswordSource,
  type TransportOptions,
} from '../cli/args';
import { lineBreakReason } from '../backup/layout';

export type RestoreVerb = 'restore' | 'healthcheck';

export interface RestoreCommand {
  kind: RestoreVerb;
  /** `--help`: print the usage and the docs' place, nothing else. */
  help?: true;
  /** A backup folder (`.../<vm>/backup-...`), a VM folder (its newest good backup) or a pool DB dump. */
  folder: string;
  /** Name of the restored VM (restore: default the backup's VM name; healthcheck: always generated). */
  name?: string;
  /** SR name or uuid for the new disks (default: the pool's default SR). */
  sr?: string;
  preserve: boolean;
  start: boolean;
  /** vdi-export backups: import the disk only, leave it detached (no VM is made). */
  diskOnly: boolean;
  /** Restore a backup folder that has no success marker. */
  force: boolean;
  dryRun: boolean;
  json: boolean;
  password: PasswordSource;
  transport: TransportOptions;
  silenceTimeoutMs?: number;
  /** healthcheck: seconds to wait for the VM to reach Running. */
  bootTimeoutSeconds?: number;
}

const RESTORE_VALUE_FLAGS = new Set(['--name', '--sr', '--boot-timeout']);
const RESTORE_BOOLEAN_FLAGS = new Set(['--preserve', '--start', '--disk-only', '--force']);
/** Run flags that mean nothing for a restore: refused rather than silently ignored. */
const RUN_ONLY_FLAGS = new Set(['--concurrency', '--regex-budget-ms', '--busy-wait']);
/** Only healthcheck flags (it names, starts and removes the VM itself). */
const NOT_FOR_HEALTHCHECK = new Set(['--name', '--start', '--preserve']);

/** Where the first positional word is (flags and their values skipped), or -1. */
function firstPositional(argv: readonly string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return -1;
    if (!arg.startsWith('--')) return i;
    if (!arg.includes('=') && (FLAGS_WITH_VALUE.has(arg) || RESTORE_VALUE_FLAGS.has(arg))) i++;
  }
  return -1;
}

/**
 * Is this argv a restore/healthcheck command line? The verb is the first word that is not an
 * option (`vmbackup --json restore FOLDER` too); after `--` it is a positional as in a run.
 */
export function restoreVerb(argv: readonly string[]): RestoreVerb | undefined {
  const word = argv[firstPositional(argv)];
  return word === 'restore' || word === 'healthcheck' ? word : undefined;
}

function nameError(name: string, argument: string): void {
  if (name.trim() === '') throw new CliError(argument, `${argument}: the VM name cannot be empty`);
  const reason = lineBreakReason(name, 'VM');
  if (reason) throw new CliError(argument, `${argument}: ${reason.replace(/backed up/, 'restored')}`);
}

export function parseRestoreArgs(argv: readonly string[], context: ParseContext): RestoreCommand {
  const verb = restoreVerb(argv);
  if (!verb) throw new CliError(argv[0] ?? '', 'expected restore or healthcheck');
  const own = new Map<string, string | true>();
  const common: string[] = [];
  const positionals: string[] = [];
  const at = firstPositional(argv);
  const rest = [...argv.slice(0, at), ...argv.slice(at + 1)];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--') {
      positionals.push(...rest.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (RUN_ONLY_FLAGS.has(name)) throw new CliError(arg, `${name} is an option of a backup run, not of ${verb}`);
    if (verb === 'healthcheck' && NOT_FOR_HEALTHCHECK.has(name)) {
      throw new CliError(arg, `${name} is not an option of healthcheck (it names, starts and removes the VM itself)`);
    }
    if (RESTORE_BOOLEAN_FLAGS.has(name)) {
      if (eq >= 0) throw new CliError(arg, `${name} takes no value`);
      own.set(name, true);
    } else if (RESTORE_VALUE_FLAGS.has(name) || FLAGS_WITH_VALUE.has(name)) {
      // `--flag=value` is passed on whole, so a value such as `config` is never a positional.
      let value: string | undefined;
      if (eq >= 0) value = arg.slice(eq + 1);
      else if (i + 1 < rest.length && !rest[i + 1]!.startsWith('--')) value = rest[++i];
      if (value === undefined || value === '') throw new CliError(arg, `${name} needs a value`);
      if (RESTORE_VALUE_FLAGS.has(name)) own.set(name, value);
      else common.push(`${name}=${value}`);
    } else common.push(arg);
  }
  if (common.includes('--help')) return { ...HELP, kind: verb, folder: '' };
  if (positionals.length < 1 || positionals.length > 2) {
    throw new CliError(verb, `usage: ${usageLine(verb)}`);
  }
  const folder = positionals[positionals.length - 1]!;
  // The password positional, when given, comes first as in a run: `restore <password-file> FOLDER`.
  const passwordWord = positionals.length === 2 ? [positionals[0]!] : [];
  const run = parseArgs([...common, '--', ...passwordWord, 'BACKUP_FOLDER'], {
    ...context,
    // One positional: the folder. The password then comes from the environment or a flag.
    passwordInEnvironment: context.passwordInEnvironment && passwordWord.length === 0,
  });
  if (run.kind !== 'run') {
    throw new CliError(
      folder,
      'no password: set VMBACKUP_PASSWORD, use --password-env NAME or --password-stdin, or give a password file ' +
        `before the folder (${usageLine(verb)})`,
    );
  }
  const name = own.get('--name');
  if (typeof name === 'string') nameError(name, `--name=${name}`);
  const sr = own.get('--sr');
  const boot = own.get('--boot-timeout');
  if (typeof boot === 'string' && (verb !== 'healthcheck' || !/^[1-9]\d{0,4}$/.test(boot))) {
    throw new CliError(`--boot-timeout=${boot}`, '--boot-timeout (healthcheck only) needs whole seconds, 1-99999');
  }
  return {
    kind: verb,
    folder,
    ...(typeof name === 'string' ? { name } : {}),
    ...(typeof sr === 'string' ? { sr } : {}),
    preserve: own.has('--preserve'),
    start: own.has('--start'),
    diskOnly: own.has('--disk-only'),
    force: own.has('--force'),
    dryRun: run.dryRun,
    json: run.json,
    password: run.password,
    transport: run.transport,
    ...(run.silenceTimeoutMs !== undefined ? { silenceTimeoutMs: run.silenceTimeoutMs } : {}),
    ...(typeof boot === 'string' ? { bootTimeoutSeconds: Number(boot) } : {}),
  };
}

const HELP: Omit<RestoreCommand, 'kind' | 'folder'> = {
  help: true,
  preserve: false,
  start: false,
  diskOnly: false,
  force: false,
  dryRun: false,
  json: false,
  password: { kind: 'env', name: 'VMBACKUP_PASSWORD' },
  transport: {},
};

export function usageLine(verb: RestoreVerb): string {
  return verb === 'restore'
    ? 'vmbackup restore [<password-file>] BACKUP_FOLDER [--name NEW_NAME] [--sr SR] [--preserve] [--start] ' +
        '[--disk-only] [--force] [--dry-run] [--json]'
    : 'vmbackup healthcheck [<password-file>] BACKUP_FOLDER [--sr SR] [--boot-timeout SECONDS] [--force] ' +
        '[--dry-run] [--json]';
}
