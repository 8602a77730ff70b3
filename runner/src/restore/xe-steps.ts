// The `xe` commands of a restore, each value its own argv element (a hostile VM name is never
// parsed by a shell; over ssh every word is single-quoted). printXe shows them for --dry-run
// and the log as a POSIX shell would take them (values single-quoted unless plain), so an admin
// can copy a step; the human log still shows control characters escaped.
import { xe, XeError } from '../backup/xe';
import type { Host } from '../host/types';
import { quoteForPosixShell } from '../host/quote';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A value the shell takes as it is; `<new-vm-uuid>` and the like are placeholders of a dry run. */
const PLAIN = /^(?:[A-Za-z0-9_@%+:,./-]*|<[a-z-]+>)$/;

export function printXe(args: readonly string[]): string {
  const words = args.map((a) => {
    const eq = a.indexOf('=');
    if (eq < 0) return PLAIN.test(a) ? a : quoteForPosixShell(a);
    const value = a.slice(eq + 1);
    return PLAIN.test(value) ? a : `${a.slice(0, eq + 1)}${quoteForPosixShell(value)}`;
  });
  return ['xe', ...words].join(' ');
}

export const restoreArgs = {
  vmListByName: (name: string) => ['vm-list', `name-label=${name}`, 'params=uuid', '--minimal'],
  srByUuid: (uuid: string) => ['sr-list', `uuid=${uuid}`, 'params=uuid', '--minimal'],
  srByName: (name: string) => ['sr-list', `name-label=${name}`, 'params=uuid', '--minimal'],
  defaultSr: () => ['pool-list', 'params=default-SR', '--minimal'],
  vmImport: (file: string, options: { srUuid?: string; preserve?: boolean; metadata?: boolean }) => [
    'vm-import',
    `filename=${file}`,
    ...(options.srUuid ? [`sr-uuid=${options.srUuid}`] : []),
    ...(options.preserve ? ['preserve=true'] : []),
    ...(options.metadata ? ['metadata=true'] : []),
  ],
  rename: (uuid: string, name: string) => ['vm-param-set', `uuid=${uuid}`, `name-label=${name}`],
  vmStart: (uuid: string) => ['vm-start', `uuid=${uuid}`],
  powerState: (uuid: string) => ['vm-param-get', `uuid=${uuid}`, 'param-name=power-state'],
  vmUninstall: (uuid: string) => ['vm-uninstall', `uuid=${uuid}`, 'force=true'],
  vdiCreate: (srUuid: string, name: string, type: string, size: string) => [
    'vdi-create',
    `sr-uuid=${srUuid}`,
    `name-label=${name}`,
    `type=${type}`,
    `virtual-size=${size}`,
  ],
  vdiImport: (vdiUuid: string, file: string, format: 'raw' | 'vhd') => [
    'vdi-import',
    `uuid=${vdiUuid}`,
    `filename=${file}`,
    `format=${format}`,
  ],
  vdiDestroy: (uuid: string) => ['vdi-destroy', `uuid=${uuid}`],
  vbdOwner: (uuid: string) => ['vbd-param-set', `uuid=${uuid}`, 'other-config:owner=true'],
  vbdCreate: (vm: string, vdi: string, device: string, bootable: boolean, mode: string) => [
    'vbd-create',
    `vm-uuid=${vm}`,
    `vdi-uuid=${vdi}`,
    `device=${device}`,
    `bootable=${bootable ? 'true' : 'false'}`,
    `mode=${mode}`,
    'type=Disk',
  ],
};

/** The uuids of a `--minimal` listing (comma separated; empty when none). */
export function minimalList(stdout: string): string[] {
  return stdout
    .trim()
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Runs xe and returns the one uuid it printed (vm-import, vdi-create, vbd-create). */
export async function xeUuid(host: Host, args: string[], signal?: AbortSignal): Promise<string> {
  const out = await xe(host, args, signal ? { signal } : {});
  const uuids = minimalList(out.trim().split('\n').pop() ?? '');
  if (uuids.length !== 1 || !UUID.test(uuids[0]!)) {
    throw new XeError(args, {
      exitCode: 0,
      stdout: out,
      stderr: `expected one uuid, got '${out.trim().slice(0, 80)}'`,
    });
  }
  return uuids[0]!;
}
