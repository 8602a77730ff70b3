// The pool's in-memory database: records by class and ref, a uuid index, the generation
// counter and a change log from which event.from answers. Everything that changes the pool
// (API calls, the xe command, HTTP handlers, tests) goes through create/update/destroy here,
// so every change produces the event a real XAPI would produce.
import { canonicalClass, CLASS_NAMES, defaultRecord, fieldInfo } from './datamodel';
import { failure } from './errors';
import { IdGenerator } from './ids';

export type XapiRecord = Record<string, unknown>;

export interface ChangeEntry {
  generation: number;
  cls: string;
  ref: string;
  op: 'add' | 'mod' | 'del';
}

/** How a virtual disk's bytes are made up: deterministic and sparse (see http/disk.ts). */
export interface DiskContent {
  /** Fraction (0..1) of 1 MiB chunks holding data; the first chunk always does. */
  used: number;
  /** Selects the data pattern; snapshots keep their origin's seed so they export the same bytes. */
  seed: number;
  /** Imported disks: the data chunks actually received (index → bytes); others are zero. */
  chunks?: Map<number, Buffer>;
}

export class SimState {
  readonly ids: IdGenerator;
  generation = 0;
  readonly log: ChangeEntry[] = [];
  readonly disks = new Map<string, DiskContent>();
  private readonly tables = new Map<string, Map<string, XapiRecord>>();
  private readonly uuids = new Map<string, Map<string, string>>();
  private readonly createdAt = new Map<string, number>();
  private listeners = new Set<() => void>();

  constructor(seed = 'sim') {
    this.ids = new IdGenerator(seed);
    for (const cls of CLASS_NAMES) {
      this.tables.set(cls, new Map());
      this.uuids.set(cls, new Map());
    }
  }

  private table(cls: string): Map<string, XapiRecord> {
    const t = this.tables.get(cls);
    if (!t) throw new Error(`unknown class ${cls}`);
    return t;
  }

  private record(entry: Omit<ChangeEntry, 'generation'>): void {
    this.generation += 1;
    this.log.push({ cls: entry.cls, ref: entry.ref, op: entry.op, generation: this.generation });
    if (this.listeners.size === 0) return;
    const listeners = this.listeners;
    this.listeners = new Set();
    for (const l of listeners) l();
  }

  /** Creates a record from the class defaults plus `fields`; returns its ref. */
  create(cls: string, fields: XapiRecord, ref = this.ids.ref()): string {
    const rec = defaultRecord(cls);
    for (const [k, v] of Object.entries(fields)) {
      if (!(k in rec)) throw new Error(`${cls} has no field ${k}`);
      rec[k] = v;
    }
    if (!rec.uuid) rec.uuid = this.ids.uuid();
    if (this.uuids.get(cls)!.has(rec.uuid as string)) throw new Error(`duplicate ${cls} uuid ${rec.uuid}`);
    this.table(cls).set(ref, rec);
    this.uuids.get(cls)!.set(rec.uuid as string, ref);
    this.createdAt.set(ref, this.generation + 1);
    this.record({ cls, ref, op: 'add' });
    return ref;
  }

  get(cls: string, ref: string): XapiRecord | undefined {
    return this.table(cls).get(ref);
  }

  /** The record, or HANDLE_INVALID [class, ref] as XAPI answers for a bad ref. */
  require(cls: string, ref: unknown): XapiRecord {
    const rec = typeof ref === 'string' ? this.table(cls).get(ref) : undefined;
    if (!rec) throw failure('HANDLE_INVALID', cls, ref);
    return rec;
  }

  has(cls: string, ref: string): boolean {
    return this.table(cls).has(ref);
  }

  /** Ref of the object with this uuid, or UUID_INVALID [class, uuid]. */
  refByUuid(cls: string, uuid: unknown): string {
    const ref = typeof uuid === 'string' ? this.uuids.get(cls)!.get(uuid) : undefined;
    if (!ref) throw failure('UUID_INVALID', cls, uuid);
    return ref;
  }

  findByUuid(cls: string, uuid: string): string | undefined {
    return this.uuids.get(cls)!.get(uuid);
  }

  /** The class of a ref, searching every table (refs are unique across the database). */
  classOf(ref: string): string | undefined {
    for (const [cls, t] of this.tables) if (t.has(ref)) return cls;
    return undefined;
  }

  update(cls: string, ref: string, patch: XapiRecord): void {
    const rec = this.require(cls, ref);
    for (const [k, v] of Object.entries(patch)) {
      if (!fieldInfo(cls, k)) throw new Error(`${cls} has no field ${k}`);
      rec[k] = v;
    }
    this.record({ cls, ref, op: 'mod' });
  }

  /** Appends `value` to the set field `field` (in place: loading 5,000 VMs stays linear). */
  append(cls: string, ref: string, field: string, value: unknown): void {
    const rec = this.require(cls, ref);
    (rec[field] as unknown[]).push(value);
    this.record({ cls, ref, op: 'mod' });
  }

  /** A `mod` event without a change (event.inject). */
  touch(cls: string, ref: string): void {
    this.require(cls, ref);
    this.record({ cls, ref, op: 'mod' });
  }

  destroy(cls: string, ref: string): void {
    const rec = this.require(cls, ref);
    this.table(cls).delete(ref);
    this.uuids.get(cls)!.delete(rec.uuid as string);
    this.createdAt.delete(ref);
    this.disks.delete(ref);
    this.record({ cls, ref, op: 'del' });
  }

  entries(cls: string): [string, XapiRecord][] {
    return [...this.table(cls)];
  }

  refs(cls: string): string[] {
    return [...this.table(cls).keys()];
  }

  count(cls: string): number {
    return this.table(cls).size;
  }

  /** Generation at which `ref` was created (for add-vs-mod in event.from). */
  creationOf(ref: string): number | undefined {
    return this.createdAt.get(ref);
  }

  /**
   * Resolves at the next change or after `ms`; `signal` aborts the wait early. With `since`
   * (a generation read before the caller looked at the state) it resolves at once when a change
   * already happened after that: a change between the look and the wait is never missed.
   */
  waitForChange(ms: number, signal?: AbortSignal, since?: number): Promise<void> {
    if (since !== undefined && this.generation > since) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.listeners.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Wakes every long poll (used when the simulator closes). */
  wakeAll(): void {
    const listeners = this.listeners;
    this.listeners = new Set();
    for (const l of listeners) l();
  }

  /** Index of the first log entry with generation > `generation` (binary search). */
  logIndexAfter(generation: number): number {
    let lo = 0;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.log[mid].generation <= generation) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

export { canonicalClass };
