// Timing model (opt-in): how long the pool takes for the operations a backup waits on. On a real
// XenServer the runner mostly waits for the host — a VM snapshot is storage work (seconds),
// destroying a VDI is an SM call, an export streams at disk/network speed. With no timing the
// simulator answers instantly, which is right for functional tests but hides what running
// backups concurrently is for. The waits are timers inside the server's handling of the
// operation (no CPU, no serialisation): the call or task stays pending meanwhile, so N
// concurrent operations overlap exactly as on a host. See docs/simulator.md ("Timing").

export interface TimingSettings {
  /** VM.snapshot and VDI.snapshot (also `xe vm-snapshot` / `vdi-snapshot`) take this long. */
  snapshotMs: number;
  /** VDI.destroy (also `xe vdi-destroy` and each disk of `xe vm-uninstall`) takes this long. */
  destroyMs: number;
  /**
   * HTTP export handlers (/export, /export_metadata, /export_raw_vdi, /pool/xmldbdump): the task is pending this long
   * before the first byte.
   */
  taskMs: number;
  /** Every export body is limited to this many bytes per second, per stream (null: unlimited). */
  exportBytesPerSecond: number | null;
  /**
   * How long VM.snapshot, VM.destroy and the shutdowns wait for a conflicting operation on the VM
   * before OTHER_OPERATION_IN_PROGRESS: xapi's `standard` retry policy, 2 hours (helpers.ml).
   */
  vmOperationWaitMs: number;
  /** The same for the export handlers: export.ml lock_vm's `fail_quickly` policy, 120 s. */
  exportLockWaitMs: number;
}

/** xapi's own waits (helpers.ml Repeat_with_uniform_backoff): behaviour, not speed, so every profile keeps them. */
const XAPI_LOCK_WAITS = { vmOperationWaitMs: 2 * 3600 * 1000, exportLockWaitMs: 120_000 };

export const TIMING_PROFILES = {
  /** The default: every operation completes as soon as it is asked for. */
  instant: { snapshotMs: 0, destroyMs: 0, taskMs: 0, exportBytesPerSecond: null, ...XAPI_LOCK_WAITS },
  /**
   * A real host scaled down about tenfold so a 50-VM benchmark stays short: snapshots and
   * destroys are seconds on real storage, exports run at disk speed (docs/simulator.md).
   */
  realistic: { snapshotMs: 400, destroyMs: 150, taskMs: 100, exportBytesPerSecond: 200_000_000, ...XAPI_LOCK_WAITS },
} as const satisfies Record<string, TimingSettings>;

export type TimingProfile = keyof typeof TIMING_PROFILES;

/** A profile name, or single values (unset ones keep their current value, or 0 / null at start). */
export type TimingOption = TimingProfile | (Partial<TimingSettings> & { profile?: TimingProfile });

export function defaultTiming(): TimingSettings {
  return { ...TIMING_PROFILES.instant };
}

/** Validates and applies a timing option (from options, a fixture or POST /_sim/timing). */
export function applyTiming(settings: TimingSettings, option: unknown): void {
  const patch: Record<string, unknown> =
    typeof option === 'string' ? { profile: option } : (option as Record<string, unknown>);
  if (!patch || typeof patch !== 'object' || Array.isArray(patch))
    throw new Error('timing must be a profile name or an object');
  const known = new Set(['profile', ...Object.keys(TIMING_PROFILES.instant)]);
  for (const key of Object.keys(patch)) if (!known.has(key)) throw new Error(`unknown timing setting ${key}`);
  const next: TimingSettings = { ...settings };
  if (patch.profile !== undefined) {
    const profile = TIMING_PROFILES[patch.profile as TimingProfile];
    if (typeof patch.profile !== 'string' || !Object.hasOwn(TIMING_PROFILES, patch.profile)) {
      throw new Error(
        `unknown timing profile ${JSON.stringify(patch.profile)} (known: ${Object.keys(TIMING_PROFILES).join(', ')})`,
      );
    }
    Object.assign(next, profile);
  }
  for (const key of ['snapshotMs', 'destroyMs', 'taskMs', 'vmOperationWaitMs', 'exportLockWaitMs'] as const) {
    const v = patch[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      throw new Error(`timing ${key} must be a non-negative number of milliseconds`);
    next[key] = v;
  }
  const rate = patch.exportBytesPerSecond;
  if (rate !== undefined) {
    if (rate !== null && !(typeof rate === 'number' && Number.isFinite(rate) && rate > 0)) {
      throw new Error('timing exportBytesPerSecond must be a positive number or null');
    }
    next.exportBytesPerSecond = rate;
  }
  Object.assign(settings, next);
}

/**
 * What the timing model is doing right now, per simulator (keyed by its settings object): how
 * many operations are held, the most at once, and a way for tests to wait for a positive
 * signal ("N operations are being held together") instead of measuring durations.
 */
export interface HoldActivity {
  active: number;
  peak: number;
}

interface ActivityState extends HoldActivity {
  watchers: Array<{ count: number; wake: () => void }>;
  releases: Set<() => void>;
}

const activities = new WeakMap<TimingSettings, ActivityState>();

function activityState(settings: TimingSettings): ActivityState {
  let state = activities.get(settings);
  if (!state) {
    state = { active: 0, peak: 0, watchers: [], releases: new Set() };
    activities.set(settings, state);
  }
  return state;
}

export function holdActivity(settings: TimingSettings): HoldActivity {
  const { active, peak } = activityState(settings);
  return { active, peak };
}

/** Resolves once at least `count` operations are being held at the same time. */
export function whenHolding(settings: TimingSettings, count: number): Promise<void> {
  const state = activityState(settings);
  if (state.active >= count) return Promise.resolve();
  return new Promise((wake) => state.watchers.push({ count, wake }));
}

/** Ends every wait in progress now (tests: let held operations finish without waiting them out). */
export function releaseHolds(settings: TimingSettings): void {
  for (const release of [...activityState(settings).releases]) release();
}

/** Waits the configured time of one kind of operation, counted in the simulator's activity. */
export async function holdFor(
  settings: TimingSettings,
  key: 'snapshotMs' | 'destroyMs' | 'taskMs',
  signal?: AbortSignal,
): Promise<void> {
  const ms = settings[key];
  if (ms <= 0 || signal?.aborted) return;
  const state = activityState(settings);
  const release = new AbortController();
  const stop = () => release.abort();
  state.releases.add(stop);
  signal?.addEventListener('abort', stop, { once: true });
  state.active++;
  state.peak = Math.max(state.peak, state.active);
  for (const watcher of state.watchers.filter((w) => state.active >= w.count)) {
    state.watchers.splice(state.watchers.indexOf(watcher), 1);
    watcher.wake();
  }
  try {
    await hold(ms, release.signal);
  } finally {
    state.active--;
    state.releases.delete(stop);
    signal?.removeEventListener('abort', stop);
  }
}

/**
 * Waits `ms` on a timer (no CPU). Ends early when `signal` aborts (the simulator closing or the
 * client going away), so a pending operation never keeps the process alive.
 */
export function hold(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** The slower of two per-stream limits (the slow-export fault and the timing model). */
export function exportRate(fault: number | null, timing: number | null): number | null {
  if (fault === null) return timing;
  if (timing === null) return fault;
  return Math.min(fault, timing);
}
