// Result types of XenAPI methods: XML-RPC needs them (ints travel as untyped strings, floats as
// <double>, datetimes as <dateTime.iso8601>, valid_ref_counts as <i4>); JSON-RPC does not.
import { fieldsOf, type TypeDesc } from '../datamodel';

export const ANY: TypeDesc = { k: 'any' };
export const STRING: TypeDesc = { k: 'string' };
export const refSet = (cls: string): TypeDesc => ({ k: 'set', of: { k: 'ref', cls } });
export const recordOf = (cls: string): TypeDesc => ({ k: 'record', cls });
export const recordMap = (cls: string): TypeDesc => ({ k: 'map', key: { k: 'ref', cls }, value: recordOf(cls) });

const recordTypes = new Map<string, Map<string, TypeDesc>>();

export function recordFieldTypes(cls: string): Map<string, TypeDesc> {
  let m = recordTypes.get(cls);
  if (!m) {
    m = new Map(fieldsOf(cls).map((f) => [f.name, f.type]));
    recordTypes.set(cls, m);
  }
  return m;
}

/** Type of an event.from result (event snapshots are records of the event's class). */
export const EVENT_FROM_RESULT: TypeDesc = { k: 'any' };
