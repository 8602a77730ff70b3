// The messages XAPI generates for every class: get_all, get_all_records, get_record,
// get_by_uuid, get_by_name_label, get_<field>, set_<field>, add_to_/remove_from_<map>,
// add_/remove_<set>.
import { fieldInfo, fieldsOf, isSettable, LISTED_CLASSES, type TypeDesc } from '../datamodel';
import { failure } from '../errors';
import type { SimState } from '../state';

export type Handler = (state: SimState, args: unknown[]) => unknown;

/** Coerces an argument to a field's type (XML-RPC clients send ints as strings). */
export function coerce(value: unknown, type: TypeDesc): unknown {
  switch (type.k) {
    case 'int':
    case 'float':
      return typeof value === 'number' ? value : Number(value);
    case 'bool':
      return value === true || value === 'true' || value === 1 || value === '1';
    case 'set':
      return Array.isArray(value) ? value.map((v) => coerce(v, type.of)) : [];
    case 'map':
      return value && typeof value === 'object'
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, coerce(v, type.value)]))
        : {};
    case 'string':
    case 'enum':
    case 'ref':
    case 'datetime':
      return String(value ?? '');
    default:
      return value;
  }
}

export interface GenericMethod {
  params: number;
  handler: Handler;
}

/** The generic message `message` of class `cls`, if it exists. */
export function genericMethod(cls: string, message: string): GenericMethod | undefined {
  const fields = fieldsOf(cls);
  switch (message) {
    case 'get_all':
      return { params: 0, handler: (s) => s.refs(cls) };
    case 'get_all_records':
      return { params: 0, handler: (s) => Object.fromEntries(s.entries(cls)) };
    case 'get_record':
      return { params: 1, handler: (s, [ref]) => s.require(cls, ref) };
    case 'get_by_uuid':
      return { params: 1, handler: (s, [uuid]) => s.refByUuid(cls, uuid) };
    case 'get_by_name_label':
      if (!fieldInfo(cls, 'name_label')) return undefined;
      return {
        params: 1,
        handler: (s, [label]) =>
          s
            .entries(cls)
            .filter(([, r]) => r.name_label === label)
            .map(([ref]) => ref),
      };
  }
  let m = /^get_(.+)$/.exec(message);
  if (m && fieldInfo(cls, m[1])) {
    const field = m[1];
    return { params: 1, handler: (s, [ref]) => s.require(cls, ref)[field] };
  }
  m = /^set_(.+)$/.exec(message);
  if (m && isSettable(cls, m[1])) {
    const info = fieldInfo(cls, m[1])!;
    return {
      params: 2,
      handler: (s, [ref, value]) => {
        s.require(cls, ref);
        s.update(cls, ref as string, { [info.name]: coerce(value, info.type) });
        return '';
      },
    };
  }
  m = /^(add_to|remove_from)_(.+)$/.exec(message);
  const mapField = m ? fields.find((f) => f.name === m![2] && f.type.k === 'map' && f.writable) : undefined;
  if (m && mapField) {
    const add = m[1] === 'add_to';
    return {
      params: add ? 3 : 2,
      handler: (s, [ref, key, value]) => {
        const rec = s.require(cls, ref);
        const map = { ...(rec[mapField.name] as Record<string, unknown>) };
        const k = String(key);
        if (add) {
          if (k in map) throw failure('MAP_DUPLICATE_KEY', cls, mapField.name, ref, k);
          map[k] = mapField.type.k === 'map' ? coerce(value, mapField.type.value) : value;
        } else {
          delete map[k];
        }
        s.update(cls, ref as string, { [mapField.name]: map });
        return '';
      },
    };
  }
  m = /^(add|remove)_(.+)$/.exec(message);
  const setField = m ? fields.find((f) => f.name === m![2] && f.type.k === 'set' && f.writable) : undefined;
  if (m && setField) {
    const add = m[1] === 'add';
    return {
      params: 2,
      handler: (s, [ref, value]) => {
        const rec = s.require(cls, ref);
        const current = (rec[setField.name] as unknown[]).filter((v) => v !== value);
        s.update(cls, ref as string, { [setField.name]: add ? [...current, value] : current });
        return '';
      },
    };
  }
  return undefined;
}

/** Result type of a generic message, for XML-RPC encoding. */
export function genericResultType(cls: string, message: string): TypeDesc {
  if (message === 'get_all' || message === 'get_by_name_label') return { k: 'set', of: { k: 'ref', cls } };
  if (message === 'get_all_records') return { k: 'map', key: { k: 'ref', cls }, value: { k: 'record', cls } };
  if (message === 'get_record') return { k: 'record', cls };
  if (message === 'get_by_uuid') return { k: 'ref', cls };
  const getter = /^get_(.+)$/.exec(message);
  if (getter) return fieldInfo(cls, getter[1])?.type ?? { k: 'any' };
  return { k: 'string' };
}

/** Names for system.listMethods: the generic messages of the classes clients may watch. */
export function genericMethodNames(): string[] {
  const names: string[] = [];
  for (const cls of LISTED_CLASSES) {
    names.push(`${cls}.get_all`, `${cls}.get_all_records`, `${cls}.get_record`, `${cls}.get_by_uuid`);
    if (fieldInfo(cls, 'name_label')) names.push(`${cls}.get_by_name_label`);
    for (const f of fieldsOf(cls)) {
      names.push(`${cls}.get_${f.name}`);
      if (isSettable(cls, f.name)) names.push(`${cls}.set_${f.name}`);
      if (f.writable && f.type.k === 'map') names.push(`${cls}.add_to_${f.name}`, `${cls}.remove_from_${f.name}`);
      if (f.writable && f.type.k === 'set') names.push(`${cls}.add_${f.name}`, `${cls}.remove_${f.name}`);
    }
  }
  return names;
}
