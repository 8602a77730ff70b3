// ova.xml, the first entry of an XVA: an XML-RPC value `{version, objects}` written by
// xapi's export.ml. From it we learn which disks the archive must carry, the way xapi's
// own import reads it (import.ml, non_cdrom_vdis): the VDIs of every VBD that is not a CD
// and whose SR is not an ISO library, plus suspend images; each streamed under its export
// id ("Ref:N") with the VDI's virtual_size, in the order of the ids (stream_vdi.ml,
// vdi_ordering: plain string comparison).
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ArchiveDamage } from './damage';

export interface XvaDisk {
  /** The chunk prefix inside the tar: the VDI's id in ova.xml, e.g. `Ref:12`. */
  id: string;
  size: number;
}

export interface XvaMetadata {
  exportVsn: number;
  disks: XvaDisk[];
}

type XmlRpc = string | XmlRpc[] | { [key: string]: XmlRpc };
interface ValueNode {
  struct?: { member?: { name?: string; value?: unknown }[] } | string;
  array?: { data?: { value?: unknown[] } | string } | string;
  [scalar: string]: unknown;
}

function decode(node: unknown): XmlRpc {
  if (node === undefined || node === null) return '';
  if (typeof node !== 'object') return String(node);
  const value = node as ValueNode;
  if (value.struct !== undefined) {
    const out: { [key: string]: XmlRpc } = {};
    const members = typeof value.struct === 'object' ? (value.struct.member ?? []) : [];
    for (const member of members) out[String(member.name ?? '')] = decode(member.value);
    return out;
  }
  if (value.array !== undefined) {
    const data = typeof value.array === 'object' ? value.array.data : undefined;
    return typeof data === 'object' ? (data.value ?? []).map(decode) : [];
  }
  for (const scalar of ['string', 'int', 'i4', 'i8', 'boolean', 'double', 'dateTime.iso8601']) {
    if (value[scalar] !== undefined) return String(value[scalar]);
  }
  return '';
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  isArray: (name, jPath) => name === 'member' || (name === 'value' && String(jPath).endsWith('data.value')),
});

function field(record: XmlRpc | undefined, name: string): string {
  if (!record || typeof record !== 'object' || Array.isArray(record)) return '';
  const value = record[name];
  return typeof value === 'string' ? value : '';
}

/** Reads ova.xml; throws ArchiveDamage when it is not the metadata of an export. */
export function readOvaXml(xml: string): XvaMetadata {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new ArchiveDamage(`ova.xml is not readable XML: ${valid.err.msg} (line ${valid.err.line})`);
  const root = decode((parser.parse(xml) as { value?: unknown }).value);
  if (
    typeof root !== 'object' ||
    Array.isArray(root) ||
    !Array.isArray(root.objects) ||
    typeof root.version !== 'object'
  ) {
    throw new ArchiveDamage('ova.xml does not hold an export header (version and objects)');
  }
  const exportVsn = Number(field(root.version, 'export_vsn') || '0');
  const byId = new Map<string, { cls: string; snapshot: XmlRpc }>();
  for (const object of root.objects) {
    const id = field(object, 'id');
    if (id !== '' && typeof object === 'object' && !Array.isArray(object)) {
      byId.set(id, { cls: field(object, 'class'), snapshot: object.snapshot ?? '' });
    }
  }
  const wanted = new Set<string>();
  for (const [id, { cls, snapshot }] of byId) {
    if (cls === 'VBD' && field(snapshot, 'type').toLowerCase() !== 'cd') {
      const vdi = byId.get(field(snapshot, 'VDI'));
      const sr = vdi ? byId.get(field(vdi.snapshot, 'SR')) : undefined;
      if (vdi && field(sr?.snapshot, 'content_type') !== 'iso') wanted.add(field(snapshot, 'VDI'));
    }
    if (cls === 'VDI' && field(snapshot, 'type').toLowerCase() === 'suspend') wanted.add(id);
  }
  const disks: XvaDisk[] = [];
  for (const id of wanted) {
    const sizeText = field(byId.get(id)!.snapshot, 'virtual_size');
    const size = Number(sizeText);
    if (!/^\d+$/.test(sizeText) || !Number.isSafeInteger(size)) {
      throw new ArchiveDamage(`ova.xml: the virtual_size of disk ${id} is not a size: ${JSON.stringify(sizeText)}`);
    }
    disks.push({ id, size });
  }
  disks.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { exportVsn, disks };
}
