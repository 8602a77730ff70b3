// When `xe vm-export` / `vdi-export` ends with exit 0 but wrote no file. XAPI answers the
// download with a 302 to the host that sees the disks (a member's local SR: export.ml,
// export_raw_vdi.ml), and xe follows it to https://<that host's address>. If xe cannot reach
// that host it prints "Export failed, unknown error" and still exits 0 (cli_operations.ml
// download_file). The error must name the host and address to open, not look like a bad file.
import type { RecordReader, XapiRecord } from '../pool/xapi';
import { fieldBool, fieldText } from '../pool/xapi';

export interface DiskHost {
  /** Host name-label. */
  name: string;
  /** Management address XAPI redirects to. */
  address: string;
  /** The SR only that host sees. */
  sr: string;
}

async function recordOf(pool: RecordReader, cls: string, ref: unknown): Promise<XapiRecord | undefined> {
  if (typeof ref !== 'string' || ref === '' || ref === 'OpaqueRef:NULL') return undefined;
  try {
    return await pool.call<XapiRecord>(`${cls}.get_record`, ref);
  } catch {
    return undefined;
  }
}

/** Hosts owning the local (unshared) SRs of these disks' VDIs: where an export is redirected. */
export async function hostsOfLocalDisks(pool: RecordReader, srs: (XapiRecord | undefined)[]): Promise<DiskHost[]> {
  const found: DiskHost[] = [];
  for (const sr of srs) {
    if (!sr || fieldBool(sr.shared) || fieldText(sr.content_type) === 'iso') continue;
    for (const pbdRef of (sr.PBDs as string[] | undefined) ?? []) {
      const pbd = await recordOf(pool, 'PBD', pbdRef);
      const host = await recordOf(pool, 'host', pbd?.host);
      if (!host || found.some((f) => f.address === fieldText(host.address))) continue;
      found.push({ name: fieldText(host.name_label), address: fieldText(host.address), sr: fieldText(sr.name_label) });
    }
  }
  return found;
}

/** The error text when xe could not make the download (exit 0 without a file, or CLIENT_ERROR). */
export function unreachableExportMessage(
  command: string, result: { exitCode: number; stderr: string }, hosts: DiskHost[], where: string,
): string {
  const stderr = result.stderr.trim();
  const said = stderr === '' ? 'nothing' : `"${stderr.split('\n').join(' | ')}"`;
  const base = `ERROR xe ${command} exited ${result.exitCode} and wrote no file (xe said ${said})`;
  if (hosts.length === 0) return `${base}; XAPI may have redirected the download to another host xe could not reach from ${where}`;
  const targets = hosts.map((h) => `host ${h.name} at https://${h.address}/ (SR '${h.sr}')`).join(', ');
  return (
    `${base}: the disks are on storage only ${targets} can see, XAPI redirects the download there, ` +
    `and xe on ${where} could not reach it; open that address (port 443, or the port xe uses) from ${where}`
  );
}
