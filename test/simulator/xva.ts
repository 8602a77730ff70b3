// Reads an XVA the way an importer does: node-tar for the archive, fast-xml-parser for
// ova.xml, XXH64 for the chunk checksums.
import assert from 'node:assert/strict';
import { Parser } from 'tar';
import { XMLParser } from 'fast-xml-parser';
import xxhashInit from 'xxhash-wasm';

export interface TarEntry {
  path: string;
  data: Buffer;
}

export function readTar(archive: Buffer): Promise<TarEntry[]> {
  return new Promise((resolve, reject) => {
    const entries: TarEntry[] = [];
    const parser = new Parser({
      strict: true,
      onReadEntry: (entry) => {
        const chunks: Buffer[] = [];
        entry.on('data', (c: Buffer) => chunks.push(c));
        entry.on('end', () => entries.push({ path: entry.path, data: Buffer.concat(chunks) }));
      },
    });
    parser.on('error', reject);
    parser.on('end', () => resolve(entries));
    parser.end(archive);
  });
}

interface OvaObject {
  class: string;
  id: string;
  snapshot: Record<string, unknown>;
}

/** Decodes an XML-RPC <value> tree from fast-xml-parser (preserveOrder) into JS values. */
function decode(node: Record<string, unknown>[]): unknown {
  const el = node.find((n) => !('#text' in n));
  if (!el) return node.map((n) => n['#text']).join('');
  const [tag, children] = Object.entries(el)[0] as [string, Record<string, unknown>[]];
  if (tag === 'struct') {
    const out: Record<string, unknown> = {};
    for (const m of children) {
      const parts = m.member as Record<string, unknown>[];
      const name = (parts.find((p) => 'name' in p)!.name as Record<string, unknown>[]).map((n) => n['#text']).join('');
      out[name] = decode(parts.find((p) => 'value' in p)!.value as Record<string, unknown>[]);
    }
    return out;
  }
  if (tag === 'array') {
    const data = (children[0]?.data ?? []) as Record<string, unknown>[];
    return data.map((v) => decode(v.value as Record<string, unknown>[]));
  }
  if (tag === 'boolean') return children.map((n) => n['#text']).join('') === '1';
  return children.map((n) => n['#text']).join('');
}

export function parseOva(xml: string): { version: Record<string, string>; objects: OvaObject[] } {
  const parser = new XMLParser({ preserveOrder: true, trimValues: false, parseTagValue: false });
  const doc = parser.parse(xml) as Record<string, unknown>[];
  const root = decode(doc[0].value as Record<string, unknown>[]) as {
    version: Record<string, string>;
    objects: OvaObject[];
  };
  assert.ok(root.version && Array.isArray(root.objects), 'ova.xml has version and objects');
  return root;
}

export interface CheckedXva {
  ova: ReturnType<typeof parseOva>;
  entries: TarEntry[];
  /** Disk id (Ref:N) → chunk indexes present. */
  disks: Map<string, number[]>;
}

/** Verifies layout and every chunk checksum; returns what it found. */
export async function checkXva(archive: Buffer): Promise<CheckedXva> {
  assert.equal(archive.length % 512, 0, 'tar size is a multiple of 512');
  const entries = await readTar(archive);
  assert.equal(entries[0]?.path, 'ova.xml', 'ova.xml comes first');
  const ova = parseOva(entries[0].data.toString('utf8'));
  const hasher = await xxhashInit();
  const disks = new Map<string, number[]>();
  for (let i = 1; i < entries.length; i += 2) {
    const chunk = entries[i];
    const sum = entries[i + 1];
    const m = /^(Ref:\d+)\/(\d{8})$/.exec(chunk.path);
    assert.ok(m, `chunk entry name ${chunk.path}`);
    assert.equal(sum?.path, `${chunk.path}.xxhash`, 'each chunk is followed by its checksum');
    assert.ok(chunk.data.length <= 1024 * 1024, 'chunks are at most 1 MiB');
    const expected = hasher.h64Raw(chunk.data).toString(16).padStart(16, '0').toUpperCase();
    assert.equal(sum.data.toString('ascii'), expected, `checksum of ${chunk.path}`);
    const list = disks.get(m[1]) ?? [];
    list.push(Number(m[2]));
    disks.set(m[1], list);
  }
  return { ova, entries, disks };
}
