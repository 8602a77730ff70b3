// Which host serves a disk download (ocaml/xapi/export.ml handler: check_vm_host_SRs /
// find_host_for_VM; export_raw_vdi.ml export_raw: check_sr_availability / find_host_for_sr):
// a host that cannot see every SR of the disks answers 302 to one that can, at
// https://<that host's address><same path and query> (no port: xe keeps its own).
import type { SimState } from '../state';

/** The SRs the export reads: disks only (CD drives and ISO SRs are skipped by export.ml). */
function srsOfVm(state: SimState, vm: string): string[] {
  const srs = new Set<string>();
  for (const vbdRef of (state.get('VM', vm)?.VBDs as string[] | undefined) ?? []) {
    const vbd = state.get('VBD', vbdRef);
    if (!vbd || vbd.type === 'CD') continue;
    const vdi = state.get('VDI', vbd.VDI as string);
    const sr = vdi ? state.get('SR', vdi.SR as string) : undefined;
    if (sr && sr.content_type !== 'iso') srs.add(vdi!.SR as string);
  }
  return [...srs];
}

/** Hosts with an attached PBD of the SR (every host for a shared SR with PBDs everywhere). */
function hostsSeeing(state: SimState, sr: string): Set<string> {
  const hosts = new Set<string>();
  for (const pbdRef of (state.get('SR', sr)?.PBDs as string[] | undefined) ?? []) {
    const pbd = state.get('PBD', pbdRef);
    if (pbd?.currently_attached) hosts.add(pbd.host as string);
  }
  return hosts;
}

function choose(state: SimState, here: string, srs: string[]): string | undefined {
  const seeing = srs.map((sr) => hostsSeeing(state, sr));
  if (seeing.every((h) => h.has(here))) return undefined;
  for (const [host] of state.entries('host')) if (seeing.every((h) => h.has(host))) return host;
  return undefined; // no host sees them all: served here, where the storage error will show
}

/** The host to redirect a VM export to, or undefined when `here` serves it. */
export function hostForVmExport(state: SimState, here: string, vm: string): string | undefined {
  return state.has('VM', vm) ? choose(state, here, srsOfVm(state, vm)) : undefined;
}

/** The host to redirect a raw VDI export to, or undefined when `here` serves it. */
export function hostForVdiExport(state: SimState, here: string, vdi: string): string | undefined {
  const rec = state.get('VDI', vdi);
  return rec ? choose(state, here, [rec.SR as string]) : undefined;
}

/** The host to redirect an import into `sr` to (importexport.ml find_host_for_sr), or undefined. */
export function hostForSr(state: SimState, here: string, sr: string): string | undefined {
  return choose(state, here, [sr]);
}

/** The pool master's host ref. */
export function poolMaster(state: SimState): string {
  return String(state.entries('pool')[0]?.[1].master ?? '');
}

/** export.ml: `Uri.make ~scheme:"https" ~host:address ~path ~query`. */
export function redirectUrl(state: SimState, host: string, pathAndQuery: string): string {
  const address = String(state.get('host', host)?.address ?? '');
  return `https://${address.includes(':') ? `[${address}]` : address}${pathAndQuery}`;
}
