// Command-line parsing: the original's positional form (`<password|password-file>
// <config|vm-selector> [preview] [compress=..] [ignore_extra_keys=..] [pre_clean=..]`, the
// words help/config/example, `create-password-file=`) plus the modern `--flags`.
// Pure: nothing here reads files or the environment; see password.ts for that.
import { normaliseFingerprint } from '../pool/tls';
import { parseSilenceSeconds } from '../pool/silence';

export type Compression = 'none' | 'gzip' | 'zstd';

export type PasswordSource =
  /** First positional: a password, or a base64 password file when a file exists there. */
  { kind: 'argument'; value: string } | { kind: 'env'; name: string } | { kind: 'stdin' };

/** How the runner reaches the pool: `xe` (local or --xapi), `ssh` (--ssh), `xapi` (XenAPI alone, no xe). */
export type TransportKind = 'xe' | 'ssh' | 'xapi';

export interface TransportOptions {
  /** --transport; without it `ssh` when --ssh is given, else `xe` (today's choices). */
  kind?: TransportKind;
  /** `user@host[:port]` for the ssh transport. */
  ssh?: { user: string; host: string; port?: number };
  /** An ssh_config file for the ssh transport (`ssh -F`): identity, known hosts, jump hosts. */
  sshConfig?: string;
  /** --ssh-no-multiplex: a connection per ssh command instead of one shared master (see host/ssh-options.ts). */
  sshNoMultiplex?: boolean;
  xe?: string;
  xapi?: string;
  /** Accept an https XenAPI certificate that does not verify (self-signed pool certificate). */
  xapiInsecure?: boolean;
  /**
   * sha256 of the pool's own (self-signed) certificate, normalised to 64 hex digits: that
   * certificate is accepted, no other unverifiable one. The safe alternative to xapiInsecure.
   */
  xapiFingerprint?: string;
  /** A pool trust file (`<host> <sha256>` lines): every host's own certificate (tls.ts parseTrustFile). */
  xapiTrustFile?: string;
}

export interface RunCommand {
  kind: 'run';
  password: PasswordSource;
  /** Config file path or vm-selector (`NAME-OR-REGEX`, `vm-export=X`, `vdi-export=X`). */
  target: string;
  preview: boolean;
  /** From `compress=`; undefined when not given (the config key or the default applies). */
  compress?: Compression;
  ignoreExtraKeys: boolean;
  preClean?: boolean;
  transport: TransportOptions;
  json: boolean;
  concurrency: number;
  dryRun: boolean;
  /** --regex-budget-ms: milliseconds each selection regex may spend on the VM names. */
  regexBudgetMs?: number;
  /** --silence-timeout (seconds, kept in ms): how long a XenAPI or ssh peer may stay silent. */
  silenceTimeoutMs?: number;
  /** --busy-wait: seconds to keep retrying while another operation holds a VM (undefined: the default). */
  busyWaitSeconds?: number;
  /** Notes for the user about the arguments (e.g. an unusual compress value). */
  notes: string[];
}

export interface CreatePasswordFileCommand {
  kind: 'create-password-file';
  password: PasswordSource;
  path: string;
}

export type UsageTopic = 'basic' | 'help' | 'config' | 'example';

export type Command =
  | { kind: 'usage'; topic: UsageTopic }
  | { kind: 'modern-help' }
  | { kind: 'version' }
  | CreatePasswordFileCommand
  | RunCommand;

/** Bad command-line input; `argument` is the offending argument as typed. */
export class CliError extends Error {
  constructor(
    readonly argument: string,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const FLAGS_WITH_VALUE = new Set([
  '--ssh',
  '--ssh-config',
  '--xe',
  '--xapi',
  '--xapi-fingerprint',
  '--xapi-trust-file',
  '--password-env',
  '--concurrency',
  '--regex-budget-ms',
  '--silence-timeout',
  '--busy-wait',
  '--transport',
]);
const BOOLEAN_FLAGS = new Set([
  '--password-stdin',
  '--json',
  '--dry-run',
  '--help',
  '--version',
  '--xapi-insecure',
  '--ssh-no-multiplex',
]);
const OPTIONAL_WORDS = new Set(['preview', 'compress', 'ignore_extra_keys', 'pre_clean']);

export interface ParseContext {
  /** True when VMBACKUP_PASSWORD is set: then the password positional may be left out. */
  passwordInEnvironment: boolean;
  /** The value of VMBACKUP_XAPI_FINGERPRINT, when set (the flag wins over it). */
  xapiFingerprintInEnvironment?: string;
}

export const FINGERPRINT_ENV = 'VMBACKUP_XAPI_FINGERPRINT';

/** The pinned fingerprint from --xapi-fingerprint or the environment, normalised. */
function parseFingerprint(flag: string | true | undefined, fromEnvironment: string | undefined): string | undefined {
  const [value, argument] =
    typeof flag === 'string'
      ? [flag, `--xapi-fingerprint=${flag}`]
      : fromEnvironment
        ? [fromEnvironment, `${FINGERPRINT_ENV}=${fromEnvironment}`]
        : [];
  if (value === undefined || argument === undefined) return undefined;
  const fingerprint = normaliseFingerprint(value);
  if (!fingerprint) {
    throw new CliError(
      argument,
      `${argument}: expected the certificate's sha256 fingerprint (64 hex digits, e.g. AB:CD:...; openssl x509 ` +
        '-noout -fingerprint -sha256 prints it)',
    );
  }
  return fingerprint;
}

/** Is this positional one of the original's optional words (`preview`, `compress=...`)? */
function isOptionalWord(arg: string): boolean {
  const key = (arg.includes('=') ? arg.slice(0, arg.indexOf('=')) : arg).toLowerCase();
  if (!OPTIONAL_WORDS.has(key)) return false;
  return key === 'preview' ? !arg.includes('=') : arg.includes('=');
}

export function parseSsh(value: string, arg: string): NonNullable<TransportOptions['ssh']> {
  const match = /^([^@\s]+)@(\[[^\]]+\]|[^:\s@]+)(?::(\d+))?$/.exec(value);
  if (!match) throw new CliError(arg, `${arg}: expected user@host[:port], e.g. --ssh root@xcp-master:22`);
  const port = match[3] === undefined ? undefined : Number(match[3]);
  if (port !== undefined && (port < 1 || port > 65535)) throw new CliError(arg, `${arg}: port must be 1-65535`);
  return { user: match[1]!, host: match[2]!.replace(/^\[|\]$/g, ''), ...(port === undefined ? {} : { port }) };
}

function parseConcurrency(value: string, arg: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 64) {
    throw new CliError(arg, `${arg}: --concurrency needs a whole number from 1 to 64`);
  }
  return Number(value);
}

/** Original semantics: true only when the value is `true` (any case). */
function parseTrue(value: string): boolean {
  return value.toLowerCase() === 'true';
}

export function parseCompress(value: string): { compress: Compression; note?: string } {
  const v = value.toLowerCase();
  if (v === 'true' || v === 'gzip') return { compress: 'gzip' };
  if (v === 'zstd') return { compress: 'zstd' };
  if (v === 'false' || v === 'none') return { compress: 'none' };
  return { compress: 'none', note: `compress=${value} is not true|false|gzip|zstd: no compression (as VmBackup.py)` };
}

/** --transport, checked against the options that select or configure the others. */
function transportKind(flag: string | true | undefined, options: TransportOptions): TransportKind {
  const ssh = options.ssh
    ? `--ssh=${options.ssh.user}@${options.ssh.host}${options.ssh.port ? `:${options.ssh.port}` : ''}`
    : undefined;
  if (typeof flag !== 'string') return ssh ? 'ssh' : 'xe';
  const argument = `--transport=${flag}`;
  const kind = flag.toLowerCase();
  if (kind !== 'xe' && kind !== 'ssh' && kind !== 'xapi') {
    throw new CliError(argument, `--transport ${flag}: expected xe, ssh or xapi`);
  }
  if (kind === 'ssh' && !ssh) throw new CliError(argument, '--transport ssh needs --ssh user@host[:port]');
  if (kind !== 'ssh' && ssh) throw new CliError(ssh, `--ssh cannot be combined with --transport ${kind}`);
  if (kind === 'xapi') {
    if (options.xe !== undefined) {
      throw new CliError(`--xe=${options.xe}`, '--xe cannot be combined with --transport xapi (no xe is run)');
    }
    if (options.xapi === undefined) {
      throw new CliError(argument, '--transport xapi needs --xapi https://pool-master/ (the pool to back up)');
    }
  }
  return kind;
}

export function parseArgs(argv: readonly string[], context: ParseContext): Command {
  // The original prints a usage text when any of these words appears anywhere.
  for (const topic of ['help', 'config', 'example'] as const) {
    if (argv.includes(topic)) return { kind: 'usage', topic };
  }

  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (BOOLEAN_FLAGS.has(name)) {
      if (eq >= 0) throw new CliError(arg, `${name} takes no value`);
      flags.set(name, true);
    } else if (FLAGS_WITH_VALUE.has(name)) {
      let value: string | undefined;
      if (eq >= 0) value = arg.slice(eq + 1);
      else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) value = argv[++i];
      if (value === undefined || value === '') throw new CliError(arg, `${name} needs a value`);
      flags.set(name, value);
    } else {
      throw new CliError(arg, `unknown option ${name} (see vmbackup --help)`);
    }
  }

  if (flags.has('--help')) return { kind: 'modern-help' };
  if (flags.has('--version')) return { kind: 'version' };

  const passwordEnv = flags.get('--password-env');
  const passwordStdin = flags.has('--password-stdin');
  if (typeof passwordEnv === 'string' && passwordStdin) {
    throw new CliError('--password-stdin', '--password-env and --password-stdin cannot be combined');
  }
  if (typeof passwordEnv === 'string' && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(passwordEnv)) {
    throw new CliError(`--password-env=${passwordEnv}`, '--password-env needs an environment variable name');
  }

  // Where is the password? An explicit flag wins; otherwise VMBACKUP_PASSWORD lets the
  // password positional be left out (detected when the second positional is an optional
  // word or missing); otherwise the first positional is the password, as in the original.
  let password: PasswordSource;
  let rest: string[];
  if (typeof passwordEnv === 'string') {
    password = { kind: 'env', name: passwordEnv };
    rest = positionals;
  } else if (passwordStdin) {
    password = { kind: 'stdin' };
    rest = positionals;
  } else if (
    context.passwordInEnvironment &&
    (positionals.length < 2 || isOptionalWord(positionals[1]!) || positionals[0]!.startsWith('create-password-file='))
  ) {
    password = { kind: 'env', name: 'VMBACKUP_PASSWORD' };
    rest = positionals;
  } else {
    if (positionals.length < 2) return { kind: 'usage', topic: 'basic' };
    password = { kind: 'argument', value: positionals[0]! };
    rest = positionals.slice(1);
  }
  if (rest.length < 1) return { kind: 'usage', topic: 'basic' };

  const target = rest[0]!;
  if (target.toLowerCase().startsWith('create-password-file=')) {
    const path = target.slice('create-password-file='.length);
    if (path === '') throw new CliError(target, 'create-password-file= needs a file name');
    if (rest.length > 1)
      throw new CliError(rest[1]!, `ERROR invalid parm: ${rest[1]} (create-password-file takes no other parameters)`);
    return { kind: 'create-password-file', password, path };
  }

  const command: RunCommand = {
    kind: 'run',
    password,
    target,
    preview: false,
    ignoreExtraKeys: false,
    transport: { kind: 'xe' },
    json: flags.has('--json'),
    concurrency: 1,
    dryRun: flags.has('--dry-run'),
    notes: [],
  };
  for (const word of rest.slice(1)) {
    if (!isOptionalWord(word)) {
      throw new CliError(
        word,
        `ERROR invalid parm: ${word} (expected preview, compress=, ignore_extra_keys= or pre_clean=)`,
      );
    }
    const eq = word.indexOf('=');
    const key = (eq < 0 ? word : word.slice(0, eq)).toLowerCase();
    const value = eq < 0 ? '' : word.slice(eq + 1);
    if (key === 'preview') command.preview = true;
    else if (key === 'compress') {
      const parsed = parseCompress(value);
      command.compress = parsed.compress;
      if (parsed.note) command.notes.push(parsed.note);
    } else if (key === 'ignore_extra_keys') command.ignoreExtraKeys = parseTrue(value);
    else if (key === 'pre_clean') command.preClean = parseTrue(value);
  }

  const ssh = flags.get('--ssh');
  if (typeof ssh === 'string') command.transport.ssh = parseSsh(ssh, `--ssh=${ssh}`);
  const sshConfig = flags.get('--ssh-config');
  if (typeof sshConfig === 'string') {
    if (!command.transport.ssh) throw new CliError(`--ssh-config=${sshConfig}`, '--ssh-config needs --ssh user@host');
    command.transport.sshConfig = sshConfig;
  }
  if (flags.has('--ssh-no-multiplex')) {
    if (!command.transport.ssh) throw new CliError('--ssh-no-multiplex', '--ssh-no-multiplex needs --ssh user@host');
    command.transport.sshNoMultiplex = true;
  }
  const xe = flags.get('--xe');
  if (typeof xe === 'string') command.transport.xe = xe;
  const xapi = flags.get('--xapi');
  if (typeof xapi === 'string') {
    if (!/^https?:\/\/[^/\s]+/.test(xapi))
      throw new CliError(`--xapi=${xapi}`, '--xapi needs a URL such as https://pool-master/');
    command.transport.xapi = xapi;
  }
  if (flags.has('--xapi-insecure')) command.transport.xapiInsecure = true;
  const fingerprint = parseFingerprint(flags.get('--xapi-fingerprint'), context.xapiFingerprintInEnvironment);
  if (fingerprint !== undefined) {
    if (command.transport.xapiInsecure) {
      const pinnedBy = flags.has('--xapi-fingerprint') ? '--xapi-fingerprint' : FINGERPRINT_ENV;
      throw new CliError(
        '--xapi-insecure',
        `--xapi-insecure cannot be combined with ${pinnedBy} (pinning accepts only that certificate)`,
      );
    }
    command.transport.xapiFingerprint = fingerprint;
  }
  const trustFile = flags.get('--xapi-trust-file');
  if (typeof trustFile === 'string') {
    if (command.transport.xapiInsecure) {
      const why =
        '--xapi-insecure cannot be combined with --xapi-trust-file (the trust file accepts only its certificates)';
      throw new CliError('--xapi-insecure', why);
    }
    command.transport.xapiTrustFile = trustFile;
  }
  command.transport.kind = transportKind(flags.get('--transport'), command.transport);
  const concurrency = flags.get('--concurrency');
  if (typeof concurrency === 'string')
    command.concurrency = parseConcurrency(concurrency, `--concurrency=${concurrency}`);
  const budget = flags.get('--regex-budget-ms');
  if (typeof budget === 'string') {
    if (!/^[1-9][0-9]{0,8}$/.test(budget))
      throw new CliError(
        `--regex-budget-ms=${budget}`,
        `--regex-budget-ms=${budget}: needs a whole number of milliseconds >= 1`,
      );
    command.regexBudgetMs = Number(budget);
  }
  const silence = flags.get('--silence-timeout');
  if (typeof silence === 'string') {
    const ms = parseSilenceSeconds(silence);
    if (ms === undefined)
      throw new CliError(
        `--silence-timeout=${silence}`,
        `--silence-timeout=${silence}: needs a whole number of seconds >= 1`,
      );
    command.silenceTimeoutMs = ms;
  }
  const busyWait = flags.get('--busy-wait');
  if (typeof busyWait === 'string') {
    if (!/^\d+$/.test(busyWait) || Number(busyWait) > 86_400) {
      const argument = `--busy-wait=${busyWait}`;
      throw new CliError(argument, `${argument}: --busy-wait needs a whole number of seconds from 0 to 86400`);
    }
    command.busyWaitSeconds = Number(busyWait);
  }
  if (command.preview && command.dryRun) {
    throw new CliError('--dry-run', '--dry-run and preview cannot be combined (preview already changes nothing)');
  }
  return command;
}
