// ova.xml, the metadata of an XVA (ocaml/xapi/export.ml): an XML-RPC value holding the export
// version and every object the VM needs (host, VM, VM_metrics, VBDs, VIFs, networks, VDIs, SRs),
// with refs rewritten to `Ref:N` ids and refs to objects outside the export set to NULL.
import { NULL_REF } from '../ids';
import type { SimState, XapiRecord } from '../state';
import { EPOCH } from '../time';
import { encodeValue, escapeXml } from '../wire/xmlrpc';

export interface ExportedDisk {
  id: string;
  vdi: string;
  size: number;
}

export interface OvaExport {
  xml: string;
  disks: ExportedDisk[];
}

let nextId = 0;

function rewrite(value: unknown, ids: Map<string, string>): unknown {
  if (typeof value === 'string') return value.startsWith('OpaqueRef:') ? (ids.get(value) ?? NULL_REF) : value;
  if (Array.isArray(value))
    return value.map((v) => rewrite(v, ids)).filter((v) => v !== NULL_REF || value.length === 0);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k.startsWith('OpaqueRef:')) continue; // maps keyed by task refs (current_operations)
      out[k] = rewrite(v, ids);
    }
    return out;
  }
  return value;
}

export interface OvaOptions {
  preservePowerState?: boolean;
  includeDisks?: boolean;
  /**
   * export.ml update_table ~include_snapshots / make_vm ~with_snapshot_metadata: the VM's
   * snapshots (with their VBDs, VDIs, VIFs) are exported too and the snapshot fields are kept.
   */
  withSnapshots?: boolean;
}

export function buildOva(state: SimState, vmRef: string, options: OvaOptions = {}): OvaExport {
  const vm = state.require('VM', vmRef);
  const objects: { cls: string; ref: string }[] = [];
  const add = (cls: string, ref: unknown) => {
    if (typeof ref === 'string' && ref !== NULL_REF && state.has(cls, ref) && !objects.some((o) => o.ref === ref))
      objects.push({ cls, ref });
  };
  const [pool] = state.entries('pool');
  add('host', vm.resident_on !== NULL_REF ? vm.resident_on : pool?.[1].master);
  const diskVdis: string[] = [];
  const addVm = (ref: string, own: boolean) => {
    const rec = state.require('VM', ref);
    add('VM', ref);
    add('VM_metrics', rec.metrics);
    add('VM_guest_metrics', rec.guest_metrics);
    const vbds = (rec.VBDs as string[]).map((r) => [r, state.require('VBD', r)] as const);
    for (const [r] of vbds) add('VBD', r);
    for (const r of rec.VIFs as string[]) add('VIF', r);
    for (const r of rec.VIFs as string[]) add('network', state.get('VIF', r)?.network);
    for (const [, vbd] of vbds) {
      const vdi = state.get('VDI', vbd.VDI as string);
      if (!vdi) continue;
      const sr = state.get('SR', vdi.SR as string);
      add('VDI', vbd.VDI);
      if (own && vbd.type !== 'CD' && sr?.content_type !== 'iso') diskVdis.push(vbd.VDI as string);
    }
  };
  addVm(vmRef, true);
  if (options.withSnapshots) for (const snap of vm.snapshots as string[]) if (state.has('VM', snap)) addVm(snap, false);
  for (const o of [...objects]) if (o.cls === 'VDI') add('SR', state.get('VDI', o.ref)!.SR);

  const ids = new Map<string, string>();
  for (const o of objects) ids.set(o.ref, `Ref:${nextId++}`);
  const members = objects.map((o) => {
    const rec = state.get(o.cls, o.ref) as XapiRecord;
    let snapshot = rewrite(rec, ids) as XapiRecord;
    if (o.cls === 'VM') {
      const keep = options.withSnapshots === true;
      snapshot = {
        ...snapshot,
        power_state: options.preservePowerState ? rec.power_state : 'Halted',
        is_a_snapshot: keep ? rec.is_a_snapshot : false,
        snapshot_of: keep ? snapshot.snapshot_of : NULL_REF,
        snapshots: keep ? snapshot.snapshots : [],
        snapshot_time: keep ? rec.snapshot_time : EPOCH,
        parent: NULL_REF,
        children: [],
        current_operations: {},
        allowed_operations: [],
        consoles: [],
        blobs: {},
      };
    }
    return (
      `<value><struct><member><name>class</name><value>${o.cls}</value></member>` +
      `<member><name>id</name><value>${ids.get(o.ref)}</value></member>` +
      `<member><name>snapshot</name>${encodeValue(snapshot, { k: 'record', cls: o.cls })}</member></struct></value>`
    );
  });
  const host = state.get('host', objects[0]?.cls === 'host' ? objects[0].ref : '') ?? {};
  const sv = (host.software_version ?? {}) as Record<string, string>;
  const date = new Date().toISOString().slice(0, 10);
  const version = [
    ['hostname', String(host.hostname ?? 'xenserver')],
    ['date', date],
    ['product_version', sv.product_version ?? '8.2.1'],
    ['product_brand', sv.product_brand ?? 'XCP-ng'],
    ['build_number', sv.build_number ?? 'release/yangtze/master/58'],
    ['xapi_major', '1'],
    ['xapi_minor', '20'],
    ['export_vsn', '2'],
  ]
    .map(([k, v]) => `<member><name>${k}</name><value>${escapeXml(v)}</value></member>`)
    .join('');
  const xml =
    `<value><struct><member><name>version</name><value><struct>${version}</struct></value></member>` +
    `<member><name>objects</name>` +
    `<value><array><data>${members.join('')}</data></array></value></member></struct></value>`;
  const disks =
    options.includeDisks === false
      ? []
      : diskVdis.map((vdi) => ({ id: ids.get(vdi)!, vdi, size: Number(state.get('VDI', vdi)!.virtual_size) }));
  disks.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { xml, disks };
}
