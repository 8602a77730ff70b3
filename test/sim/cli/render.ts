// How the CLI renders values (ocaml/xapi-cli-server/records.ml): refs as the target's uuid
// (`<not in database>` when absent), sets joined by "; ", maps as "k: v; k2: v2",
// booleans true/false, power states in lower case.
import { NULL_REF } from '../ids';
import type { SimState, XapiRecord } from '../state';

export const NOT_IN_DB = '<not in database>';

export function uuidOf(state: SimState, cls: string, ref: unknown): string {
  if (typeof ref !== 'string' || ref === NULL_REF) return NOT_IN_DB;
  const rec = state.get(cls, ref);
  return rec ? String(rec.uuid) : NOT_IN_DB;
}

export function uuidsOf(state: SimState, cls: string, refs: unknown): string {
  return (Array.isArray(refs) ? refs : []).map((r) => uuidOf(state, cls, r)).join('; ');
}

export function setText(value: unknown): string {
  return (Array.isArray(value) ? value : []).map(String).join('; ');
}

export function mapText(value: unknown): string {
  return Object.entries((value ?? {}) as Record<string, unknown>)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(' ') : String(v)}`)
    .join('; ');
}

export function scalarText(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return setText(value);
  if (value && typeof value === 'object') return mapText(value);
  return String(value ?? '');
}

export function nameOf(state: SimState, cls: string, ref: unknown): string {
  if (typeof ref !== 'string') return NOT_IN_DB;
  const rec = state.get(cls, ref);
  return rec ? String(rec.name_label) : NOT_IN_DB;
}

export function related(state: SimState, cls: string, ref: unknown): XapiRecord | undefined {
  return typeof ref === 'string' && ref !== NULL_REF ? state.get(cls, ref) : undefined;
}
