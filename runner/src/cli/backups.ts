// `vmbackup list [CONFIG|BACKUP_DIR]` and `vmbackup verify BACKUP_FOLDER...`: read-only
// commands over backup_dir, local or through the ssh transport of a run (--ssh,
// --ssh-config). They never talk to XenAPI, so no pool password is asked for.
import { existsSync, statSync } from 'node:fs';
import { pathsOf } from '../backup/layout';
import { DEFAULTS, resolveSettings, type ParsedConfig } from '../config/index';
import { planSelection } from '../select/plan';
import type { Inventory } from '../pool/inventory';
import type { Host } from '../host/types';
import { listBackups } from '../backups/list';
import { verifyFolder } from '../backups/check';
import { renderListing, renderVerifyReport } from '../backups/render';
import { deleteBackups, renderDeleteReport } from '../backups/delete';
import {
  BACKUPS_JSON_VERSION,
  type FolderVerification,
  type RetentionBasis,
  type VerifyReport,
} from '../backups/types';
import { CliError, FLAGS_WITH_VALUE, parseSsh, type TransportOptions } from './args';
import { loadConfig } from './loadConfig';
import type { Io } from './output';
import { openTransport } from './transport';

export const BACKUPS_SUBCOMMANDS = ['list', 'verify', 'delete'] as const;

export interface BackupsCommand {
  kind: 'list' | 'verify' | 'delete';
  /** list: the CONFIG or BACKUP_DIR (none: the default backup_dir); verify, delete: the folders. */
  targets: string[];
  json: boolean;
  /** list --verify: read every export file to its end. */
  verify: boolean;
  /** list: the run's `pre_clean=true` word, for the retention marks. */
  preClean: boolean;
  /** delete --dry-run: judge each folder, delete none. */
  dryRun: boolean;
  /** delete --backup-dir: the backup_dir the folders must lie in (default: the default backup_dir). */
  backupDir?: string;
  transport: Pick<TransportOptions, 'ssh' | 'sshConfig' | 'sshNoMultiplex'>;
}

/**
 * Where the subcommand word is: the first argument that is neither an option nor an option's
 * value (`vmbackup --ssh root@h list DIR` works), never after `--`; -1 when there is none.
 * docs/cli.md: a password or a vm-selector literally named `list` or `verify` goes after `--`.
 */
export function backupsSubcommandAt(argv: readonly string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return -1;
    if (arg.startsWith('--')) {
      if (!arg.includes('=') && FLAGS_WITH_VALUE.has(arg)) i++;
      continue;
    }
    return (BACKUPS_SUBCOMMANDS as readonly string[]).includes(arg) ? i : -1;
  }
  return -1;
}

/** Parses `[options] list|verify [arguments and options]`; the caller found the word with backupsSubcommandAt. */
export function parseBackupsArgs(argv: readonly string[]): BackupsCommand {
  const at = backupsSubcommandAt(argv);
  if (at < 0) throw new CliError(argv[0] ?? '', 'expected the subcommand list, verify or delete');
  const kind = argv[at] as BackupsCommand['kind'];
  argv = [kind, ...argv.slice(0, at), ...argv.slice(at + 1)];
  const command: BackupsCommand = {
    kind,
    targets: [],
    json: false,
    verify: false,
    preClean: false,
    dryRun: false,
    transport: {},
  };
  let sshConfig: string | undefined;
  let noMultiplex = false;
  let transport: string | undefined;
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      command.targets.push(...argv.slice(i + 1));
      break;
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const flag =
      name === '--json' ||
      name === '--ssh-no-multiplex' ||
      (kind === 'list' && name === '--verify') ||
      (kind === 'delete' && name === '--dry-run');
    if (flag) {
      if (eq > 0 && arg.startsWith('--')) throw new CliError(arg, `${name} takes no value`);
      if (name === '--json') command.json = true;
      else if (name === '--verify') command.verify = true;
      else if (name === '--dry-run') command.dryRun = true;
      else noMultiplex = true;
    } else if (name === '--xapi-insecure') {
      if (eq > 0) throw new CliError(arg, `${name} takes no value`);
    } else if (POOL_OPTIONS.has(name) || (kind === 'delete' && name === '--backup-dir')) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[i + 1]?.startsWith('--') ? undefined : argv[++i];
      if (value === undefined || value === '') throw new CliError(arg, `${name} needs a value`);
      if (name === '--ssh') command.transport.ssh = parseSsh(value, `--ssh=${value}`);
      else if (name === '--backup-dir') command.backupDir = value;
      else if (name === '--transport') transport = value;
      else if (name === '--ssh-config') sshConfig = value;
      // --xapi, --xapi-fingerprint, --xapi-trust-file: accepted, unused (POOL_OPTIONS).
    } else if (arg.startsWith('--')) {
      const ssh = '--ssh, --ssh-config, --ssh-no-multiplex, --transport, --xapi';
      const own = { list: '--json, --verify', verify: '--json', delete: '--json, --dry-run, --backup-dir' }[kind];
      const allowed = `${own}, ${ssh}`;
      throw new CliError(arg, `vmbackup ${kind} does not take ${name} (it takes ${allowed}; no password is needed)`);
    } else if (kind === 'list' && arg.toLowerCase().startsWith('pre_clean=')) {
      command.preClean = arg.slice('pre_clean='.length).toLowerCase() === 'true';
    } else command.targets.push(arg);
  }
  if (sshConfig !== undefined) {
    if (!command.transport.ssh) throw new CliError(`--ssh-config=${sshConfig}`, '--ssh-config needs --ssh user@host');
    command.transport.sshConfig = sshConfig;
  }
  if (transport !== undefined) {
    const argument = `--transport=${transport}`;
    if (!['xe', 'ssh', 'xapi'].includes(transport)) throw new CliError(argument, 'expected xe, ssh or xapi');
    if (transport === 'ssh' && !command.transport.ssh)
      throw new CliError(argument, '--transport ssh needs --ssh user@host');
    if (transport !== 'ssh' && command.transport.ssh) {
      throw new CliError('--ssh', `--ssh cannot be combined with --transport ${transport}`);
    }
  }
  if (noMultiplex) {
    if (!command.transport.ssh) throw new CliError('--ssh-no-multiplex', '--ssh-no-multiplex needs --ssh user@host');
    command.transport.sshNoMultiplex = true;
  }
  if (kind === 'list' && command.targets.length > 1) {
    throw new CliError(command.targets[1]!, 'vmbackup list takes one CONFIG or BACKUP_DIR');
  }
  if (kind === 'verify' && command.targets.length === 0) {
    throw new CliError('verify', 'vmbackup verify needs at least one BACKUP_FOLDER (.../<vm>/backup-...)');
  }
  if (kind === 'delete' && command.targets.length === 0) {
    throw new CliError('delete', 'vmbackup delete needs at least one BACKUP_FOLDER (.../<vm>/backup-...)');
  }
  return command;
}

/**
 * The pool options of a run that list, verify and delete accept so a run's command line works
 * for them too. They reach no pool: with `--transport xapi` (or `--xapi`) the backups are files
 * on this machine (the agentless transport writes them here), read locally; with `--ssh` on
 * the ssh host. `--ssh` and `--ssh-config` are the ones used.
 */
const POOL_OPTIONS = new Set([
  '--ssh',
  '--ssh-config',
  '--transport',
  '--xapi',
  '--xapi-fingerprint',
  '--xapi-trust-file',
]);

/** The VM folders as the pool: a config's selection lines then match the VMs that have backups. */
function folderInventory(names: string[]): Inventory {
  const vm = (name: string) => ({
    uuid: name,
    name,
    powerState: 'Halted' as const,
    isTemplate: false,
    isSnapshot: false,
    isControlDomain: false,
    disks: [],
  });
  return { vms: names.map(vm), source: 'fixture', fetchedAt: 0 };
}

/** Each VM folder's max_backups as the config's next run would use it. */
function configRetention(parsed: ParsedConfig, vmFolders: string[]): (vm: string) => RetentionBasis {
  const settings = resolveSettings(parsed);
  const plan = planSelection(parsed, folderInventory(vmFolders), { maxBackups: settings.maxBackups });
  const planned = [...plan.vdiExport, ...plan.vmExport, ...plan.metadataExport];
  return (vm) => {
    const entry = planned.find((p) => p.name === vm);
    if (!entry) return { kind: 'not-selected' };
    const reason = entry.maxBackupsReason;
    if (reason.kind === 'suffix') return { kind: 'vm-suffix', maxBackups: entry.maxBackups, line: reason.line + 1 };
    return { kind: 'config', maxBackups: entry.maxBackups };
  };
}

async function withHost<T>(command: BackupsCommand, io: Io, use: (host: Host) => Promise<T>): Promise<T> {
  // No password: the transport is only used for files (an ssh host, or this machine).
  const { host } = await openTransport(command.transport, '', undefined, io.machine);
  try {
    return await use(host);
  } finally {
    await host.close();
  }
}

async function runList(command: BackupsCommand, io: Io, signal: AbortSignal): Promise<number> {
  const target = command.targets[0];
  const config =
    target !== undefined && existsSync(target) && statSync(target).isFile() ? loadConfig(target) : undefined;
  const backupDir = config ? config.settings.backupDir : (target ?? DEFAULTS.backupDir);
  return withHost(command, io, async (host) => {
    if (!(await host.stat(backupDir))?.isDirectory) {
      const what = config ? `backup_dir of ${config.file}` : 'BACKUP_DIR';
      throw new CliError(target ?? backupDir, `${what} ${backupDir} is not a folder on ${host.description}`);
    }
    const vmFolders = (await host.list(backupDir)).filter((e) => e.isDirectory).map((e) => e.name);
    const retentionOf: (vm: string) => RetentionBasis = config
      ? configRetention(config.parsed, vmFolders)
      : () => ({ kind: 'default', maxBackups: DEFAULTS.maxBackups });
    const retentionNote = config
      ? `retention marks: the next run of ${config.file} (its max_backups ${config.settings.maxBackups} ` +
        `and each VM's :N)${command.preClean ? ' with pre_clean=true' : ''}`
      : `retention marks: the default max_backups ${DEFAULTS.maxBackups} (no config given; ` +
        'give the CONFIG for its max_backups and :N)';
    const listing = await listBackups(host, {
      backupDir,
      ...(config?.file ? { config: config.file } : {}),
      retentionOf,
      retentionNote,
      preClean: command.preClean,
      verify: command.verify,
      now: new Date(),
      signal,
    });
    io.stdout.write(command.json ? `${JSON.stringify(listing)}\n` : renderListing(listing));
    const damaged = listing.vms.some((vm) => vm.backups.some((b) => b.verified.state === 'damaged'));
    return damaged ? 1 : 0;
  });
}

async function runVerify(command: BackupsCommand, io: Io, signal: AbortSignal): Promise<number> {
  return withHost(command, io, async (host) => {
    const folders: FolderVerification[] = [];
    for (const folder of command.targets) {
      if (!signal.aborted) {
        folders.push(await verifyFolder(host, folder, signal));
        continue;
      }
      const vm = pathsOf(host).basename(pathsOf(host).dirname(folder));
      folders.push({ folder, vm, success: false, result: 'error', checked: [], error: 'not checked: interrupted' });
    }
    const count = (result: string) => folders.filter((f) => f.result === result).length;
    const summary = { good: count('good'), damaged: count('damaged'), errors: count('error') };
    const exitCode = summary.errors > 0 ? 2 : summary.damaged > 0 ? 1 : 0;
    const report: VerifyReport = {
      type: 'backup-verify',
      version: BACKUPS_JSON_VERSION,
      host: host.description,
      folders,
      summary,
      exitCode,
    };
    io.stdout.write(command.json ? `${JSON.stringify(report)}\n` : renderVerifyReport(report));
    return exitCode;
  });
}

async function runDelete(command: BackupsCommand, io: Io, signal: AbortSignal): Promise<number> {
  return withHost(command, io, async (host) => {
    const backupDir = command.backupDir ?? DEFAULTS.backupDir;
    if (!(await host.stat(backupDir))?.isDirectory) {
      throw new CliError(
        backupDir,
        `backup_dir ${backupDir} is not a folder on ${host.description} (give --backup-dir)`,
      );
    }
    const report = await deleteBackups(host, { backupDir, folders: command.targets, dryRun: command.dryRun, signal });
    io.stdout.write(command.json ? `${JSON.stringify(report)}\n` : renderDeleteReport(report));
    return report.exitCode;
  });
}

/** Runs `list`, `verify` or `delete`; bad arguments and unreadable folders throw CliError (exit 2 in main). */
export async function runBackupsCommand(argv: readonly string[], io: Io, signal: AbortSignal): Promise<number> {
  const command = parseBackupsArgs(argv);
  try {
    if (command.kind === 'delete') return await runDelete(command, io, signal);
    return await (command.kind === 'list' ? runList(command, io, signal) : runVerify(command, io, signal));
  } catch (error) {
    if (error instanceof CliError) throw error;
    // An unreadable backup_dir or ssh target: the reason, not a stack trace (exit 2).
    throw new CliError(command.kind, `vmbackup ${command.kind}: ${(error as Error).message}`);
  }
}
