// event.inject / event.from (ocaml/xapi/xapi_event.ml): tokens "%020d,%020d", long poll until
// a matching change or the timeout, one event per changed object with its current record,
// and valid_ref_counts for every table (xen-api crashes without it).
import { canonicalClass, CLASS_NAMES } from '../datamodel';
import { failure } from '../errors';
import type { SimState } from '../state';

export function formatToken(generation: number): string {
  return `${String(generation).padStart(20, '0')},${'0'.padStart(20, '0')}`;
}

function parseToken(token: unknown): number {
  if (token === '' || token === undefined || token === null) return -1;
  const m = /^(\d+)(?:,(\d+))?$/.exec(String(token));
  if (!m) throw failure('EVENT_FROM_TOKEN_PARSE_FAILURE', token);
  return Number(m[1]);
}

interface Subscription {
  all: boolean;
  classes: Set<string>;
  objects: Set<string>;
}

function subscription(classes: unknown): Subscription {
  const sub: Subscription = { all: false, classes: new Set(), objects: new Set() };
  for (const c of Array.isArray(classes) ? classes : []) {
    const text = String(c);
    if (text === '*') sub.all = true;
    else if (text.includes('/')) sub.objects.add(text.slice(text.indexOf('/') + 1));
    else sub.classes.add(text.toLowerCase());
  }
  return sub;
}

const matches = (sub: Subscription, cls: string, ref: string) =>
  sub.all || sub.classes.has(cls.toLowerCase()) || sub.objects.has(ref);

export interface XapiEvent {
  id: string;
  timestamp: string;
  class: string;
  operation: 'add' | 'mod' | 'del';
  ref: string;
  snapshot?: Record<string, unknown>;
}

function collect(state: SimState, sub: Subscription, since: number): XapiEvent[] {
  const adds: XapiEvent[] = [];
  const mods: XapiEvent[] = [];
  const dels: XapiEvent[] = [];
  if (since < 0) {
    for (const cls of CLASS_NAMES) {
      if (cls === 'session' && !sub.all) continue;
      for (const [ref, rec] of state.entries(cls)) {
        if (!matches(sub, cls, ref)) continue;
        adds.push({
          id: String(state.generation),
          timestamp: '0.0',
          class: cls.toLowerCase(),
          operation: 'add',
          ref,
          snapshot: rec,
        });
      }
    }
    return adds;
  }
  const last = new Map<string, { cls: string; generation: number; deleted: boolean }>();
  for (let i = state.logIndexAfter(since); i < state.log.length; i++) {
    const e = state.log[i];
    if (!matches(sub, e.cls, e.ref)) continue;
    last.set(e.ref, { cls: e.cls, generation: e.generation, deleted: e.op === 'del' });
  }
  for (const [ref, { cls, generation, deleted }] of last) {
    const base = { id: String(generation), timestamp: '0.0', class: cls.toLowerCase(), ref };
    if (deleted) {
      dels.push({ ...base, operation: 'del' });
      continue;
    }
    const rec = state.get(cls, ref);
    if (!rec) continue;
    const created = state.creationOf(ref) ?? 0;
    (created > since ? adds : mods).push({ ...base, operation: created > since ? 'add' : 'mod', snapshot: rec });
  }
  return [...adds, ...mods, ...dels];
}

export function validRefCounts(state: SimState): Record<string, number> {
  return Object.fromEntries(CLASS_NAMES.map((c) => [c.toLowerCase(), state.count(c)]));
}

export async function eventFrom(
  state: SimState,
  classes: unknown,
  token: unknown,
  timeoutSeconds: unknown,
  signal?: AbortSignal,
): Promise<{ events: XapiEvent[]; valid_ref_counts: Record<string, number>; token: string }> {
  const since = parseToken(token);
  const sub = subscription(classes);
  const timeout = Math.max(0, Math.min(Number(timeoutSeconds) || 0, 3600)) * 1000;
  const deadline = Date.now() + timeout;
  for (;;) {
    const generation = state.generation;
    const events = collect(state, sub, since);
    const remaining = deadline - Date.now();
    if (events.length > 0 || remaining <= 0 || signal?.aborted) {
      return { events, valid_ref_counts: validRefCounts(state), token: formatToken(generation) };
    }
    await state.waitForChange(remaining, signal);
    // XAPI batches: let a burst of changes (e.g. a whole VM.snapshot) land in one answer.
    if (!signal?.aborted && state.generation !== generation) await new Promise((r) => setTimeout(r, 20));
  }
}

export function eventInject(state: SimState, cls: unknown, ref: unknown): string {
  const name = canonicalClass(String(cls));
  if (!name || typeof ref !== 'string' || !state.has(name, ref)) throw failure('HANDLE_INVALID', cls, ref);
  const before = state.generation;
  state.touch(name, ref);
  return formatToken(before);
}
