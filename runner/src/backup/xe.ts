// The `xe` operations of a backup, run through the Host (local, off-host or ssh). Every
// value is its own argv element (`name-label=<vm>`), so a hostile VM name is never parsed
// by a shell; the ssh host quotes each element for the remote shell.
import type { CommandResult, Host, RunOptions } from '../host/types';
import type { CompressMode } from '../config/types';

export class XeError extends Error {
  override readonly name = 'XeError';
  constructor(
    readonly command: string,
    readonly result: CommandResult,
  ) {
    const detail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(0, 4).join(' | ');
    super(`xe ${command} failed (exit ${result.exitCode})${detail ? `: ${detail}` : ''}`);
  }
}

/** For logs: the command as the original logged it (`xe vm-export uuid=... filename="..."`). */
export function describeXe(args: readonly string[]): string {
  return (
    'xe ' +
    args
      .map((a) => {
        const eq = a.indexOf('=');
        if (eq < 0) return a;
        const value = a.slice(eq + 1);
        return /^[\w.:/@+-]*$/.test(value) ? a : `${a.slice(0, eq)}=${JSON.stringify(value)}`;
      })
      .join(' ')
  );
}

export async function xe(host: Host, args: string[], options?: RunOptions): Promise<string> {
  const result = await host.xe(args, options);
  if (result.exitCode !== 0) throw new XeError(args[0]!, result);
  return result.stdout;
}

/** Last non-empty stdout line: where xe prints a new uuid. */
function lastLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return lines[lines.length - 1] ?? '';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function expectUuid(command: string, stdout: string): string {
  const uuid = lastLine(stdout);
  if (!UUID.test(uuid)) {
    throw new XeError(command, { exitCode: 0, stdout, stderr: `expected a uuid, got '${uuid.slice(0, 80)}'` });
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
  /** Works on a snapshot still flagged as a template, which vm-uninstall does not find. */
  snapshotUninstall: (uuid: string) => ['snapshot-uninstall', `uuid=${uuid}`, 'force=true'],
  vdiSnapshot: (uuid: string) => ['vdi-snapshot', `uuid=${uuid}`],
  vdiParamSet: (uuid: string, name: string) => ['vdi-param-set', `uuid=${uuid}`, `name-label=${name}`],
  vdiExport: (uuid: string, file: string, format: 'raw' | 'vhd') => ['vdi-export', `format=${format}`, `uuid=${uuid}`, `filename=${file}`],
  vdiDestroy: (uuid: string) => ['vdi-destroy', `uuid=${uuid}`],
  poolDump: (file: string) => ['pool-dump-database', `file-name=${file}`],
};

export async function vmSnapshot(host: Host, vmUuid: string, name: string, signal?: AbortSignal): Promise<string> {
  return expectUuid('vm-snapshot', await xe(host, xeArgs.vmSnapshot(vmUuid, name), { signal }));
}

export async function vdiSnapshot(host: Host, vdiUuid: string, signal?: AbortSignal): Promise<string> {
  return expectUuid('vdi-snapshot', await xe(host, xeArgs.vdiSnapshot(vdiUuid), { signal }));
}
