// XML-RPC as XAPI speaks it (ocaml-rpc xmlrpc.ml): responses on one line with no whitespace
// between tags (xen-api parses with trim:false), strings as untyped <value>, int64 as untyped
// strings, Status/Value envelopes except for system.listMethods. Requests are parsed with
// fast-xml-parser and may use typed or untyped scalars, pretty-printed or not (Python's
// xmlrpc.client vs xen-api).
import { XMLParser } from 'fast-xml-parser';
import type { TypeDesc } from '../datamodel';
import { canonicalClass } from '../datamodel';
import { isXapiDate } from '../time';
import { recordFieldTypes } from './types';

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function encodeInferred(value: unknown): string {
  if (value === null || value === undefined) return '<value></value>';
  if (typeof value === 'boolean') return `<value><boolean>${value ? 1 : 0}</boolean></value>`;
  if (typeof value === 'number')
    return Number.isInteger(value) ? `<value>${value}</value>` : `<value><double>${value}</double></value>`;
  if (typeof value === 'string') {
    return isXapiDate(value)
      ? `<value><dateTime.iso8601>${value}</dateTime.iso8601></value>`
      : `<value>${escapeXml(value)}</value>`;
  }
  if (Array.isArray(value))
    return `<value><array><data>${value.map((v) => encodeInferred(v)).join('')}</data></array></value>`;
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    // An event carries a record of its class: encode the snapshot with that class's types.
    const cls = typeof obj.class === 'string' && 'snapshot' in obj ? canonicalClass(obj.class) : undefined;
    const members = Object.entries(obj).map(([k, v]) => {
      let enc: string;
      if (k === 'snapshot' && cls) enc = encodeValue(v, { k: 'record', cls });
      else if (k === 'valid_ref_counts') enc = encodeValue(v, { k: 'map', key: { k: 'string' }, value: { k: 'i4' } });
      else enc = encodeInferred(v);
      return `<member><name>${escapeXml(k)}</name>${enc}</member>`;
    });
    return `<value><struct>${members.join('')}</struct></value>`;
  }
  return `<value>${escapeXml(String(value))}</value>`;
}

/** One XML-RPC <value> for `value` of XAPI type `type`. */
export function encodeValue(value: unknown, type: TypeDesc): string {
  switch (type.k) {
    case 'string':
    case 'enum':
    case 'ref':
      return `<value>${escapeXml(String(value ?? ''))}</value>`;
    case 'int':
      return `<value>${Number(value)}</value>`;
    case 'i4':
      return `<value><i4>${Number(value)}</i4></value>`;
    case 'float': {
      const n = Number(value);
      return `<value><double>${Number.isInteger(n) ? n.toFixed(1) : String(n)}</double></value>`;
    }
    case 'bool':
      return `<value><boolean>${value ? 1 : 0}</boolean></value>`;
    case 'datetime':
      return `<value><dateTime.iso8601>${escapeXml(String(value))}</dateTime.iso8601></value>`;
    case 'set': {
      const items = Array.isArray(value) ? value : [];
      return `<value><array><data>${items.map((v) => encodeValue(v, type.of)).join('')}</data></array></value>`;
    }
    case 'map': {
      const obj = (value ?? {}) as Record<string, unknown>;
      const members = Object.entries(obj).map(
        ([k, v]) => `<member><name>${escapeXml(k)}</name>${encodeValue(v, type.value)}</member>`,
      );
      return `<value><struct>${members.join('')}</struct></value>`;
    }
    case 'record': {
      const types = recordFieldTypes(type.cls);
      const obj = (value ?? {}) as Record<string, unknown>;
      const members = Object.entries(obj).map(
        ([k, v]) => `<member><name>${escapeXml(k)}</name>${encodeValue(v, types.get(k) ?? { k: 'any' })}</member>`,
      );
      return `<value><struct>${members.join('')}</struct></value>`;
    }
    default:
      return encodeInferred(value);
  }
}

const HEAD = '<?xml version="1.0"?><methodResponse><params><param>';
const TAIL = '</param></params></methodResponse>';

export function successResponse(value: unknown, type: TypeDesc): string {
  return (
    `${HEAD}<value><struct><member><name>Status</name><value>Success</value></member>` +
    `<member><name>Value</name>${encodeValue(value, type)}</member></struct></value>${TAIL}`
  );
}

/** system.listMethods answers with the bare value, without the Status struct. */
export function bareResponse(value: unknown, type: TypeDesc): string {
  return `${HEAD}${encodeValue(value, type)}${TAIL}`;
}

export function failureResponse(description: readonly string[]): string {
  const items = description.map((d) => `<value>${escapeXml(d)}</value>`).join('');
  return (
    `${HEAD}<value><struct><member><name>Status</name><value>Failure</value></member>` +
    `<member><name>ErrorDescription</name>` +
    `<value><array><data>${items}</data></array></value></member></struct></value>${TAIL}`
  );
}

type Node = Record<string, Node[] | string>;

const parser = new XMLParser({
  preserveOrder: true,
  trimValues: false,
  parseTagValue: false,
  ignoreAttributes: true,
  processEntities: true,
  htmlEntities: true,
});

function elements(nodes: Node[]): [string, Node[]][] {
  const out: [string, Node[]][] = [];
  for (const n of nodes) {
    for (const [k, v] of Object.entries(n)) if (k !== '#text' && k !== '?xml' && k !== ':@') out.push([k, v as Node[]]);
  }
  return out;
}

function text(nodes: Node[]): string {
  return nodes.map((n) => (typeof n['#text'] === 'string' ? n['#text'] : '')).join('');
}

function decodeValue(nodes: Node[]): unknown {
  const inner = elements(nodes);
  if (inner.length === 0) return text(nodes);
  const [tag, children] = inner[0];
  switch (tag) {
    case 'string':
      return text(children);
    case 'int':
    case 'i4':
    case 'i8':
      return Number(text(children).trim());
    case 'double':
      return Number(text(children).trim());
    case 'boolean':
      return text(children).trim() === '1';
    case 'dateTime.iso8601':
      return text(children).trim();
    case 'base64':
      return Buffer.from(text(children), 'base64').toString('utf8');
    case 'nil':
      return null;
    case 'array': {
      const data = elements(children).find(([t]) => t === 'data');
      return data
        ? elements(data[1])
            .filter(([t]) => t === 'value')
            .map(([, v]) => decodeValue(v))
        : [];
    }
    case 'struct': {
      const obj: Record<string, unknown> = {};
      for (const [t, member] of elements(children)) {
        if (t !== 'member') continue;
        const parts = elements(member);
        const name = parts.find(([p]) => p === 'name');
        const value = parts.find(([p]) => p === 'value');
        if (name) obj[text(name[1])] = value ? decodeValue(value[1]) : '';
      }
      return obj;
    }
    default:
      throw new Error(`unsupported XML-RPC value <${tag}>`);
  }
}

export interface MethodCall {
  method: string;
  params: unknown[];
}

/** Parses a <methodCall>; throws with a readable message on malformed input. */
export function parseMethodCall(xml: string): MethodCall {
  const doc = parser.parse(xml) as Node[];
  const call = elements(doc).find(([t]) => t === 'methodCall');
  if (!call) throw new Error('not an XML-RPC methodCall');
  const parts = elements(call[1]);
  const name = parts.find(([t]) => t === 'methodName');
  if (!name) throw new Error('methodCall without methodName');
  const paramsNode = parts.find(([t]) => t === 'params');
  const params = paramsNode
    ? elements(paramsNode[1])
        .filter(([t]) => t === 'param')
        .map(([, p]) => {
          const v = elements(p).find(([t]) => t === 'value');
          return v ? decodeValue(v[1]) : '';
        })
    : [];
  return { method: text(name[1]).trim(), params };
}

/** Parses a document whose root is one XML-RPC <value> (ova.xml). */
export function parseValueDocument(xml: string): unknown {
  const doc = parser.parse(xml) as Node[];
  const root = elements(doc).find(([t]) => t === 'value');
  if (!root) throw new Error('not an XML-RPC value document');
  return decodeValue(root[1]);
}
