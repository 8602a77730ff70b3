// The XenAPI data model the simulator serves: every class's fields (in datamodel order), their
// types and qualifiers, and one default record per class. datamodel.json was generated from
// xen-api doc/data/xenapi.json (the appendix of the spec), so records have exactly the field
// set a real host returns; the xen-api client builds its record classes from the first record
// it sees, so every record of a class must carry the same fields.
import model from './datamodel.json';

export type TypeDesc =
  | { k: 'string' | 'int' | 'float' | 'bool' | 'datetime' | 'enum' | 'i4' | 'any' }
  | { k: 'ref'; cls: string }
  | { k: 'set'; of: TypeDesc }
  | { k: 'map'; key: TypeDesc; value: TypeDesc }
  | { k: 'record'; cls: string };

export interface FieldInfo {
  name: string;
  type: TypeDesc;
  typeText: string;
  writable: boolean;
}

interface ClassModel {
  fields: Record<string, [string, string]>;
  template: Record<string, unknown>;
}

const raw = model as unknown as Record<string, ClassModel>;

/** Class names as XAPI spells them (`VM`, `VBD`, `pool`, `network`…). */
export const CLASS_NAMES: readonly string[] = Object.keys(raw);

/** Classes whose records clients may list (`<class>.get_all_records`); sessions are private. */
export const LISTED_CLASSES: readonly string[] = CLASS_NAMES.filter((c) => c !== 'session');

const byLower = new Map(CLASS_NAMES.map((c) => [c.toLowerCase(), c]));

/** `vm` → `VM`; undefined for an unknown class. */
export function canonicalClass(name: string): string | undefined {
  return byLower.get(name.toLowerCase());
}

export function parseType(text: string): TypeDesc {
  const t = text.trim();
  const map = /^\((.+) -> (.+)\) map$/.exec(t);
  if (map) return { k: 'map', key: parseType(map[1]), value: parseType(map[2]) };
  if (t.endsWith(' set')) return { k: 'set', of: parseType(t.slice(0, -4)) };
  if (t.endsWith(' ref')) return { k: 'ref', cls: t.slice(0, -4) };
  if (t.startsWith('enum ')) return { k: 'enum' };
  if (t === 'string' || t === 'int' || t === 'float' || t === 'bool' || t === 'datetime') return { k: t };
  return { k: 'any' };
}

const fieldCache = new Map<string, FieldInfo[]>();

/** Fields of a class in datamodel order. */
export function fieldsOf(cls: string): FieldInfo[] {
  let fields = fieldCache.get(cls);
  if (!fields) {
    const m = raw[cls];
    if (!m) throw new Error(`unknown XenAPI class ${cls}`);
    fields = Object.entries(m.fields).map(([name, [typeText, qualifier]]) => ({
      name,
      type: parseType(typeText),
      typeText,
      writable: qualifier === 'RW',
    }));
    fieldCache.set(cls, fields);
  }
  return fields;
}

export function fieldInfo(cls: string, field: string): FieldInfo | undefined {
  return fieldsOf(cls).find((f) => f.name === field);
}

/**
 * A fresh default record of `cls`. Templates hold only scalars and empty sets/maps, so a
 * shallow copy with new containers is a deep copy (and much faster than structuredClone).
 */
export function defaultRecord(cls: string): Record<string, unknown> {
  let make = makers.get(cls);
  if (!make) {
    const m = raw[cls];
    if (!m) throw new Error(`unknown XenAPI class ${cls}`);
    // One object literal per class: every record gets the same shape (fast property access,
    // little garbage when loading thousands of VMs).
    const body = Object.entries(m.template)
      .map(
        ([k, v]) =>
          `${JSON.stringify(k)}: ` +
          `${Array.isArray(v) ? '[]' : v !== null && typeof v === 'object' ? '{}' : JSON.stringify(v)}`,
      )
      .join(', ');
    make = new Function(`return { ${body} };`) as () => Record<string, unknown>;
    makers.set(cls, make);
  }
  return make();
}

const makers = new Map<string, () => Record<string, unknown>>();

/**
 * Setters XAPI has although the field's datamodel qualifier is not RW (explicit messages such
 * as VDI.set_name_label or the deprecated VM.set_ha_always_run that VmBackup calls).
 */
export const EXTRA_SETTERS: Readonly<Record<string, readonly string[]>> = {
  VM: [
    'ha_always_run',
    'ha_restart_priority',
    'memory_static_max',
    'memory_static_min',
    'memory_dynamic_max',
    'memory_dynamic_min',
    'VCPUs_max',
    'VCPUs_at_startup',
    'actions_after_crash',
    'HVM_boot_policy',
    'suspend_VDI',
    'start_delay',
    'shutdown_delay',
    'order',
    'appliance',
    'domain_type',
    'NVRAM',
    'is_default_template',
    'HVM_shadow_multiplier',
    'has_vendor_device',
    'snapshot_schedule',
  ],
  VDI: [
    'name_label',
    'name_description',
    'sharable',
    'read_only',
    'virtual_size',
    'physical_utilisation',
    'allow_caching',
    'on_boot',
    'managed',
    'missing',
  ],
  SR: ['name_label', 'name_description', 'shared', 'physical_size'],
  VIF: ['locking_mode', 'ipv4_allowed', 'ipv6_allowed'],
  VBD: ['mode', 'userdevice', 'bootable', 'type', 'unpluggable'],
  network: ['default_locking_mode'],
  task: ['status', 'progress', 'result', 'error_info'],
  host: [],
};

export function isSettable(cls: string, field: string): boolean {
  const info = fieldInfo(cls, field);
  if (!info) return false;
  return info.writable || (EXTRA_SETTERS[cls]?.includes(field) ?? false);
}
