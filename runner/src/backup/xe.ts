// The `xe` operations of a backup, run through the Host (local, off-host or ssh). Every
// value is its own argv element (`name-label=<vm>`), so a hostile VM name is never parsed
// by a shell; the ssh host quotes each element for the remote shell.
import type { CommandResult, Host, RunOptions } from '../host/types';
import type { CompressMode } from '../config/types';

/** Where the original called xe from (`xe_path`); its log lines always show this path. */
export const ORIGINAL_XE = '/opt/xensource/bin/xe';

/** How VmBackup.py v3.25 quoted each value in its command strings (the rest bare). */
const ORIGINAL_QUOTES: Record<string, string> = {
  filename: '"',
  'name-label': '"',
  'new-name-label': '"',
  'file-name': "'",
};

/**
 * For logs only: the command as the original wrote it into its `N.cmd:` lines
 * (`/opt/xensource/bin/xe vm-export uuid=... filename="..."`), its path and its quotes,
 * values inserted as they are. Never executed: `xe` gets the argv array, no shell.
 */
export function describeXe(args: readonly string[]): string {
  const words = args.map((a) => {
    const eq = a.indexOf('=');
    const quote = eq < 0 ? undefined : ORIGINAL_QUOTES[a.slice(0, eq)];
    return quote === undefined ? a : `${a.slice(0, eq + 1)}${quote}${a.slice(eq + 1)}${quote}`;
  });
  return [ORIGINAL_XE, ...words].join(' ');
}

export class XeError extends Error {
  override readonly name = 'XeError';
  /** xe's own words (first lines of its error output), for the JSON `detail`. */
  readonly detail: string;
  constructor(
    readonly args: readonly string[],
    readonly result: CommandResult,
  ) {
    // The message is the command, as the original's `ERROR <cmd>` line names it; what xe
    // printed is logged line by line before (echoXeOutput) and kept in `detail`.
    super(describeXe(args));
    this.detail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(0, 4).join(' | ') || `exit ${result.exitCode}`;
  }
  get command(): string {
    return this.args[0] ?? '';
  }
}

/** The original read these with os.popen (stdout kept for the uuid, never logged). */
const NOT_ECHOED = new Set(['vm-snapshot', 'vdi-snapshot']);

/**
 * Output lines as the original's run_log_out_wait_rc logged them: stdout and stderr line by
 * line (empty lines too; only the final newline ends the last line). Commands the original
 * ran through os.popen log nothing, except xe's error output when they fail (the original
 * let that through to the terminal, unprefixed).
 */
export function xeOutputLines(args: readonly string[], result: CommandResult): string[] {
  const lines = (text: string) => (text === '' ? [] : text.replace(/\n$/, '').split('\n'));
  if (NOT_ECHOED.has(args[0] ?? '')) return result.exitCode === 0 ? [] : lines(result.stderr);
  return [...lines(result.stdout), ...lines(result.stderr)];
}

/** What `xe vm-list name-label=... params=power-state | /bin/grep running` printed (record printer). */
export function powerStateEcho(running: boolean): string[] {
  return running ? ['power-state ( RO)    : running'] : [];
}

/** A Host whose `xe` calls log their output through `echo`, as the original's log shows it. */
export function echoXeOutput(host: Host, echo: (line: string) => void): Host {
  const run = async (args: string[], options?: RunOptions): Promise<CommandResult> => {
    const result = await host.xe(args, options);
    for (const line of xeOutputLines(args, result)) echo(line);
    return result;
  };
  return new Proxy(host, {
    get(target, key) {
      if (key === 'xe') return run;
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

export async function xe(host: Host, args: string[], options?: RunOptions): Promise<string> {
  const result = await host.xe(args, options);
  if (result.exitCode !== 0) throw new XeError(args, result);
  return result.stdout;
}

/** Last non-empty stdout line: where xe prints a new uuid. */
function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return lines[lines.length - 1] ?? '';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function expectUuid(args: string[], stdout: string): string {
  const uuid = lastLine(stdout);
  if (!UUID.test(uuid)) {
    throw new XeError(args, { exitCode: 0, stdout, stderr: `expected a uuid, got '${uuid.slice(0, 80)}'` });
  }
  return uuid;
}

export const xeArgs = {
  vmSnapshot: (vmUuid: string, name: string) => ['vm-snapshot', `vm=${vmUuid}`, `new-name-label=${name}`],
  templateParamSet: (uuid: string) => ['template-param-set', 'is-a-template=false', 'ha-always-run=false', `uuid=${uuid}`],
  vmExport: (uuid: string, file: string, compress: CompressMode) => [
    'vm-export',
    `uuid=${uuid}`,
    `filename=${file}`,
    ...(compress === 'gzip' ? ['compress=true'] : compress === 'zstd' ? ['compress=zstd'] : []),
  ],
  metadataExport: (uuid: string, file: string) => ['vm-export', `uuid=${uuid}`, `filename=${file}`, 'metadata=true'],
  vmUninstall: (uuid: string) => ['vm-uninstall', `uuid=${uuid}`, 'force=true'],
  vdiList: (uuid: string) => ['vdi-list', `uuid=${uuid}`],
  /** Works on a snapshot still flagged as a template, which vm-uninstall does not find. */
  snapshotUninstall: (uuid: string) => ['snapshot-uninstall', `uuid=${uuid}`, 'force=true'],
  vdiSnapshot: (uuid: string) => ['vdi-snapshot', `uuid=${uuid}`],
  vdiParamSet: (uuid: string, name: string) => ['vdi-param-set', `uuid=${uuid}`, `name-label=${name}`],
  vdiExport: (uuid: string, file: string, format: 'raw' | 'vhd') => ['vdi-export', `format=${format}`, `uuid=${uuid}`, `filename=${file}`],
  vdiDestroy: (uuid: string) => ['vdi-destroy', `uuid=${uuid}`],
  poolDump: (file: string) => ['pool-dump-database', `file-name=${file}`],
};

export async function vmSnapshot(host: Host, vmUuid: string, name: string, signal?: AbortSignal): Promise<string> {
  const args = xeArgs.vmSnapshot(vmUuid, name);
  return expectUuid(args, await xe(host, args, { signal }));
}

export async function vdiSnapshot(host: Host, vdiUuid: string, signal?: AbortSignal): Promise<string> {
  const args = xeArgs.vdiSnapshot(vdiUuid);
  return expectUuid(args, await xe(host, args, { signal }));
}
