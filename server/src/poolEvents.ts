// A compact, event-fed copy of the few XAPI records the inventory needs (VM, VBD, VDI, SR,
// pool). xen-api's own object cache keeps every field of every record (about 100 MB for a
// 5,000-VM pool); here xen-api is the session and transport, and we keep only what hovers
// and selection read, updated from `event.from` like xen-api's own event loop.
import type { Xapi } from 'xen-api';
import type { RecordReader } from 'vmbackup-runner/pool/xapi';

type Compact = Record<string, unknown> & { uuid: string };

const FIELDS: Record<string, readonly string[]> = {
  VM: ['uuid', 'name_label', 'power_state', 'is_a_template', 'is_a_snapshot', 'is_control_domain', 'VBDs'],
  VBD: ['uuid', 'type', 'VDI', 'device', 'userdevice'],
  VDI: ['uuid', 'name_label', 'virtual_size', 'SR'],
  SR: ['uuid', 'name_label'],
  pool: ['uuid', 'name_label'],
};
const CLASSES = Object.keys(FIELDS);
const BY_LOWER = new Map(CLASSES.map((c) => [c.toLowerCase(), c]));
const EVENT_TIMEOUT_S = 60;
const BATCHED = new Set(['VM', 'VBD', 'VDI']);
const BATCH = 250;

function compact(type: string, record: Record<string, unknown>): Compact {
  const out: Compact = { uuid: String(record.uuid ?? '') };
  for (const field of FIELDS[type]!) if (field in record) out[field] = record[field];
  return out;
}

function sameRecord(a: Compact, b: Compact): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => JSON.stringify(a[key]) === JSON.stringify(b[key]));
}

interface XapiEvent {
  class: string;
  operation: 'add' | 'mod' | 'del';
  ref: string;
  snapshot?: Record<string, unknown>;
}

export interface PoolEventsListener {
  /** The records changed (after the initial load and after every batch of events). */
  changed(): void;
  /** Event polling failed (network, pool restart); it keeps retrying. */
  failed(error: unknown): void;
}

export class PoolRecords {
  private readonly tables = new Map<string, Map<string, Compact>>(CLASSES.map((c) => [c, new Map()]));
  private stopped = false;
  private token = '';
  private failures = 0;
  private freshLoad = false;

  constructor(
    private readonly xapi: Xapi,
    private readonly listener: PoolEventsListener,
  ) {}

  /** Loads every record once; resolves when the inventory can be built. */
  async load(): Promise<void> {
    await this.fetchAll();
    void this.watch();
  }

  stop(): void {
    this.stopped = true;
  }

  /** True once after every full load (whose parsed records are now garbage). */
  takeFreshLoad(): boolean {
    const fresh = this.freshLoad;
    this.freshLoad = false;
    return fresh;
  }

  /** False from a failed event poll until the next successful one. */
  get healthy(): boolean {
    return this.failures === 0;
  }

  poolName(): string | undefined {
    const pool = [...this.tables.get('pool')!.values()][0];
    return typeof pool?.name_label === 'string' && pool.name_label ? pool.name_label : undefined;
  }

  /** The records as `<type>.get_all_records` would return them, for the runner's inventory loader. */
  asRecordReader(): RecordReader {
    return {
      call: async <T>(method: string): Promise<T> => {
        const table = this.tables.get(method.slice(0, method.indexOf('.')));
        return Object.fromEntries(table ?? []) as T;
      },
    };
  }

  private async fetchAll(): Promise<string> {
    const pools = await this.xapi.call<Record<string, unknown>>('pool.get_all_records');
    const poolRef = Object.keys(pools)[0] ?? '';
    // The token first, so that nothing changed during the fetch is lost.
    const token = await this.xapi.call<string>('event.inject', 'pool', poolRef);
    for (const type of CLASSES) this.tables.set(type, await this.fetchTable(type, type === 'pool' ? pools : undefined));
    this.freshLoad = true;
    this.token = token;
    return token;
  }

  /**
   * The big tables (VM, VBD, VDI) are read in slices of BATCH objects with
   * `event.from(["vm/<ref>", ...], "", ...)`, which returns each listed object once: the
   * parsed-but-not-yet-compacted records then never exceed one slice, where
   * `VM.get_all_records` would parse every field of every VM at once.
   */
  private async fetchTable(type: string, known?: Record<string, unknown>): Promise<Map<string, Compact>> {
    const table = new Map<string, Compact>();
    if (known || !BATCHED.has(type)) {
      const records = known ?? (await this.xapi.call<Record<string, unknown>>(`${type}.get_all_records`));
      for (const [ref, record] of Object.entries(records))
        table.set(ref, compact(type, record as Record<string, unknown>));
      return table;
    }
    const refs = await this.xapi.call<string[]>(`${type}.get_all`);
    const lower = type.toLowerCase();
    for (let i = 0; i < refs.length; i += BATCH) {
      const slice = refs.slice(i, i + BATCH).map((ref) => `${lower}/${ref}`);
      const result = await this.xapi.call<{ events: XapiEvent[] }>('event.from', slice, '', 0.1);
      for (const event of result.events) {
        if (event.operation !== 'del' && event.snapshot) table.set(event.ref, compact(type, event.snapshot));
      }
    }
    return table;
  }

  private async watch(): Promise<void> {
    while (!this.stopped) {
      try {
        const result = await this.xapi.call<{ events: XapiEvent[]; token: string }>(
          'event.from',
          CLASSES,
          this.token,
          EVENT_TIMEOUT_S + 0.1,
        );
        if (this.stopped) return;
        this.token = result.token;
        const recovered = this.failures > 0;
        this.failures = 0;
        if (this.apply(result.events) || recovered) this.listener.changed();
      } catch (error) {
        if (this.stopped) return;
        const code = (error as { code?: string }).code;
        if (code === 'EVENTS_LOST' || code === 'EVENT_FROM_TOKEN_PARSE_FAILURE' || code === 'SESSION_INVALID') {
          try {
            await this.fetchAll();
            this.failures = 0;
            this.listener.changed();
            continue;
          } catch (refetchError) {
            error = refetchError;
          }
        }
        this.failures++;
        this.listener.failed(error);
        await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, 1000 * 2 ** Math.min(this.failures, 5))));
        if (this.failures > 1) {
          // The pool may have restarted (new session, new tokens): start over.
          await this.fetchAll().then(
            () => this.listener.changed(),
            () => undefined,
          );
        }
      }
    }
  }

  /**
   * True when a field we keep changed. Most VM events (current operations during a backup,
   * memory, tags) touch none of them and must not make every open document re-plan.
   */
  private apply(events: readonly XapiEvent[]): boolean {
    let changed = false;
    for (const event of events) {
      const type = BY_LOWER.get(String(event.class).toLowerCase());
      if (!type) continue;
      const table = this.tables.get(type)!;
      if (event.operation === 'del') changed = table.delete(event.ref) || changed;
      else if (event.snapshot) {
        const next = compact(type, event.snapshot);
        const previous = table.get(event.ref);
        if (previous && sameRecord(previous, next)) continue;
        table.set(event.ref, next);
        changed = true;
      }
    }
    return changed;
  }
}
