// A VM without disks, from the backup's vm-metadata.xml: the ova.xml of the VM's metadata
// export with its VBDs and VDIs left out, in a one-entry tar, the form `xe vm-import
// metadata=true` reads. The restored disk is then attached with vbd-create, as the original's
// README has the admin do by hand ("a new VM with no attached virtual disks").
// Leaving the disks out matters: a metadata import looks the recorded VDIs up in their SR
// (import.ml), so the original VM's own disks, still in the pool, would otherwise be shared with
// the new VM, and a disk or ISO no longer there fails the import (VDI_LOCATION_MISSING).
import { XMLBuilder, XMLParser } from 'fast-xml-parser';

type Node = Record<string, unknown> & { ':@'?: Record<string, string> };
const OPTIONS = { preserveOrder: true, ignoreAttributes: false, processEntities: false } as const;

function children(node: Node | undefined, tag: string): Node[] {
  const value = node?.[tag];
  return Array.isArray(value) ? (value as Node[]) : [];
}

function first(nodes: Node[], tag: string): Node | undefined {
  return nodes.find((n) => tag in n);
}

/** The text of a `<value>` (bare text or one typed child such as `<string>`). */
function valueText(value: Node | undefined): string {
  const parts = children(value, 'value');
  const text = parts.find((p) => '#text' in p);
  if (text) return String(text['#text']).trim();
  for (const typed of parts) {
    const [tag] = Object.keys(typed).filter((k) => k !== ':@');
    const inner = children(typed, tag!).find((p) => '#text' in p);
    if (inner) return String(inner['#text']).trim();
    return '';
  }
  return '';
}

/** Members of a `<value><struct>` as name -> `<value>` node. */
function members(value: Node | undefined): Map<string, Node> {
  const out = new Map<string, Node>();
  const struct = first(children(value, 'value'), 'struct');
  for (const member of children(struct, 'struct').filter((n) => 'member' in n)) {
    const parts = children(member, 'member');
    const name = first(parts, 'name');
    const nameText = children(name, 'name').find((p) => '#text' in p);
    const val = first(parts, 'value');
    if (nameText && val) out.set(String(nameText['#text']).trim(), val);
  }
  return out;
}

interface OvaObjectNode {
  item: Node;
  cls?: string;
  id?: string;
  uuid?: string;
}

function ovaObjects(xml: string): { tree: Node[]; data?: Node; objects: OvaObjectNode[] } {
  const tree = new XMLParser({ ...OPTIONS, parseTagValue: false, trimValues: false }).parse(xml) as Node[];
  const root = first(tree, 'value');
  const objects = members(root).get('objects');
  const data = first(children(first(children(objects, 'value'), 'array'), 'array'), 'data');
  const described = children(data, 'data').map((item): OvaObjectNode => {
    if (!('value' in item)) return { item };
    const fields = members(item);
    const snapshot = members(fields.get('snapshot'));
    return {
      item,
      cls: valueText(fields.get('class')),
      id: valueText(fields.get('id')),
      uuid: valueText(snapshot.get('uuid')),
    };
  });
  return { tree, ...(data ? { data } : {}), objects: described };
}

/** The uuid of the VM an ova.xml describes (the VM that is not a snapshot: the first VM object). */
export function ovaVmUuid(xml: string): string | undefined {
  return ovaObjects(xml).objects.find((o) => o.cls === 'VM')?.uuid || undefined;
}

/** ova.xml without the VM's VBDs and VDIs; throws when it is not a VM metadata export. */
export function withoutDisks(xml: string): string {
  const { tree, data, objects } = ovaObjects(xml);
  if (!data) throw new Error('vm-metadata.xml is not a VM metadata export (no objects)');
  if (!objects.some((d) => d.cls === 'VM')) throw new Error('vm-metadata.xml holds no VM');
  data.data = objects.filter((d) => d.cls !== 'VBD' && d.cls !== 'VDI').map((d) => d.item);
  const body = new XMLBuilder({ ...OPTIONS, suppressEmptyNode: false }).build(tree) as string;
  return body.startsWith('<?xml') ? body : `<?xml version="1.0"?>\n${body}`;
}

const BLOCK = 512;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

/** A ustar archive holding one file, `ova.xml`. */
export function ovaTar(xml: string, mtimeSeconds: number): Buffer {
  const data = Buffer.from(xml, 'utf8');
  const header = Buffer.alloc(BLOCK);
  header.write('ova.xml', 0, 'ascii');
  header.write(octal(0o644, 8), 100, 'ascii');
  header.write(octal(0, 8), 108, 'ascii');
  header.write(octal(0, 8), 116, 'ascii');
  header.write(octal(data.length, 12), 124, 'ascii');
  header.write(octal(Math.floor(mtimeSeconds), 12), 136, 'ascii');
  header.fill(0x20, 148, 156);
  header.write('0', 156, 'ascii');
  header.write('ustar\0', 257, 'ascii');
  header.write('00', 263, 'ascii');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  const padding = Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK);
  return Buffer.concat([header, data, padding, Buffer.alloc(BLOCK * 2)]);
}
