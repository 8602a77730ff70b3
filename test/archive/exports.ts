// Real export files for the archive-check tests: downloaded from the simulator's XAPI
// handlers (/export, /export_metadata, /export_raw_vdi, as xe would), plus helpers that
// take an XVA apart into its tar members and put it back together, damaged on purpose.
import { Readable } from 'node:stream';
import { startSimulator, type Simulator } from '../sim/index';
import { TAR_END, tarHeader, tarPadding } from '../sim/http/tar';

export interface Member {
  name: string;
  data: Buffer;
}

export async function startExportPool(): Promise<Simulator> {
  return startSimulator({
    fixture: {
      name: 'archive-checks',
      vms: [
        {
          name: 'mixed',
          power: 'Halted',
          cd: true,
          disks: [
            { size: 3 * 1024 * 1024 + 512 * 1024, used: 1 }, // last chunk is half a MiB
            { size: '6MiB', used: 0 }, // only the first and last chunk are written
          ],
        },
      ],
    },
  });
}

/** GET a handler of the simulator with the root password (Basic auth, as xapi accepts it). */
export async function download(sim: Simulator, path: string, query: Record<string, string>): Promise<Buffer> {
  const url = new URL(path, sim.url);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const auth = Buffer.from(`root:${sim.password}`).toString('base64');
  const response = await fetch(url, { headers: { authorization: `Basic ${auth}` } });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

export function vmUuid(sim: Simulator, name: string): string {
  for (const [, rec] of sim.state.entries('VM'))
    if (rec.name_label === name && rec.is_a_snapshot !== true) return String(rec.uuid);
  throw new Error(`no VM ${name}`);
}

/** The VM's non-CD disks: uuid and virtual size. */
export function vmDisks(sim: Simulator, name: string): { uuid: string; size: number }[] {
  const ref = sim.state.findByUuid('VM', vmUuid(sim, name))!;
  const out: { uuid: string; size: number }[] = [];
  for (const vbdRef of sim.state.get('VM', ref)!.VBDs as string[]) {
    const vbd = sim.state.get('VBD', vbdRef)!;
    const vdi = sim.state.get('VDI', vbd.VDI as string);
    if (vbd.type !== 'CD' && vdi) out.push({ uuid: String(vdi.uuid), size: Number(vdi.virtual_size) });
  }
  return out;
}

/** The members of an uncompressed tar (test-side reader, trusting its input). */
export function membersOf(tar: Buffer): Member[] {
  const members: Member[] = [];
  for (let at = 0; at + 512 <= tar.length;) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(header.subarray(124, 136).toString('ascii').replace(/\0.*$/s, '').trim(), 8);
    members.push({ name, data: Buffer.from(tar.subarray(at + 512, at + 512 + size)) });
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return members;
}

/** Byte offsets of each member's header in the archive `tarOf(members)` gives. */
export function headerOffsets(members: Member[]): number[] {
  const offsets: number[] = [];
  let at = 0;
  for (const m of members) {
    offsets.push(at);
    at += 512 + Math.ceil(m.data.length / 512) * 512;
  }
  return offsets;
}

/** A tar of these members, with (or without) the end-of-archive blocks. */
export function tarOf(members: Member[], end = true): Buffer {
  const parts: Buffer[] = [];
  for (const m of members) parts.push(tarHeader(m.name, m.data.length, 0), m.data, tarPadding(m.data.length));
  if (end) parts.push(TAR_END);
  return Buffer.concat(parts);
}

/** A stream of `data` in pieces of `size` bytes (like a file read or a network channel). */
export function pieces(data: Uint8Array, size = 64 * 1024): Readable {
  return Readable.from(
    (function* () {
      for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
    })(),
  );
}
