// GET /pool/xmldbdump: the database as XAPI's Db_xml writes it — a manifest, one <table> per
// class, one self-closing <row> per object with `ref`, `__ctime`, `__mtime` and every column;
// namespaced fields join with `__` (name__label), sets and maps are S-expressions.
import { CLASS_NAMES } from '../datamodel';
import type { SimState } from '../state';
import { escapeXml } from '../wire/xmlrpc';

function sexpString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function column(value: unknown): string {
  if (Array.isArray(value)) return `(${value.map((v) => sexpString(String(v))).join(' ')})`;
  if (value && typeof value === 'object') {
    return `(${Object.entries(value)
      .map(([k, v]) => `(${sexpString(k)} ${sexpString(String(v))})`)
      .join(' ')})`;
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return String(value ?? '');
}

const COLUMN_NAMES: Record<string, string> = { name_label: 'name__label', name_description: 'name__description' };

export function xmlDbDump(state: SimState): string {
  const parts = [
    '<?xml version="1.0" encoding="UTF-8"?>\n<database><manifest>',
    '<pair key="schema_major_vsn" value="5"/><pair key="schema_minor_vsn" value="786"/>',
    `<pair key="generation_count" value="${state.generation}"/></manifest>`,
  ];
  for (const cls of CLASS_NAMES) {
    parts.push(`<table name="${cls}">`);
    for (const [ref, rec] of state.entries(cls)) {
      const created = state.creationOf(ref) ?? 0;
      const attrs = Object.entries(rec).map(
        ([k, v]) =>
          ` ${COLUMN_NAMES[k] ?? k.replace(/^(memory|VCPUs|PV|HVM|ha|snapshot)_/, '$1__')}` +
          `="${escapeXml(column(v)).replace(/\n/g, '&#10;')}"`,
      );
      parts.push(`<row ref="${escapeXml(ref)}" __ctime="${created}" __mtime="${state.generation}"${attrs.join('')}/>`);
    }
    parts.push('</table>');
  }
  parts.push('</database>');
  return parts.join('');
}
