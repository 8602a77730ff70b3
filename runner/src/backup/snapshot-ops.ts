// The snapshot lifecycle against the pool: take a snapshot so that a stop signal can never
// orphan it, tag it as this run's (snapshots.ts), find leftovers of earlier runs, remove —
// retrying while another operation holds the VM (busy.ts) and after transient failures.
import type { XapiRecord } from '../pool/xapi';
import { fieldBool } from '../pool/xapi';
import { retryWhileBusy, busyOperation, sleep, type BusyRetry } from './busy';
import type { RunContext } from './context';
import { judgeLeftover, LEASE_KEY, LEASE_MS, OWNER_KEY, ownerValue, processAlive } from './snapshots';
import { xe, xeArgs } from './xe';

export type SnapshotClass = 'VM' | 'VDI';

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));
const TRANSIENT_DELAYS_MS = [1000, 3000, 6000];
export const DEFAULT_BUSY_WAIT_MS = 10 * 60 * 1000;

export function busyRetry(ctx: RunContext, vm: string, signal?: AbortSignal, beforeRetry?: () => Promise<void>): BusyRetry {
  return {
    budgetMs: ctx.settings.busyWaitMs ?? DEFAULT_BUSY_WAIT_MS,
    sleep: ctx.sleep ?? sleep,
    now: () => Date.now(),
    log: (m) => ctx.bus.info(m, vm),
    ...(signal ? { signal } : {}),
    ...(beforeRetry ? { beforeRetry } : {}),
  };
}

/**
 * Makes a snapshot with `make` and returns its uuid. `make` is never given the run's abort
 * signal: a stop signal while xe waits would leave the server making a snapshot nobody knows
 * about. It finishes (xapi's snapshot is bounded), the caller removes it, then the run stops.
 */
export async function takeSnapshot(ctx: RunContext, vm: string, what: string, make: () => Promise<string>): Promise<string> {
  return retryWhileBusy(what, busyRetry(ctx, vm, ctx.signal), make);
}

/** Tags a new snapshot as this run's and keeps its lease fresh; returns the function that stops the renewals. */
export async function claimSnapshot(ctx: RunContext, cls: SnapshotClass, uuid: string, vm: string): Promise<() => void> {
  let ref: string;
  const renew = async () => {
    await ctx.pool.call(`${cls}.remove_from_other_config`, ref, LEASE_KEY);
    await ctx.pool.call(`${cls}.add_to_other_config`, ref, LEASE_KEY, new Date(Date.now() + LEASE_MS).toISOString());
  };
  try {
    ref = await ctx.pool.call<string>(`${cls}.get_by_uuid`, uuid);
    await ctx.pool.call(`${cls}.add_to_other_config`, ref, OWNER_KEY, ownerValue(ctx.run));
    await renew();
  } catch (error) {
    ctx.bus.warning(`WARNING cannot mark snapshot ${uuid} as this run's (other_config): ${message(error)}`, vm);
    return () => undefined;
  }
  const timer = setInterval(() => void renew().catch(() => undefined), LEASE_MS / 5);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * Snapshots named `name` that are leftovers of an earlier run and may go; the others are named
 * in the log with the reason they stay. Read live: the records of the run's start may predate
 * a concurrent run's snapshot or tag.
 */
export async function removableLeftovers(ctx: RunContext, cls: SnapshotClass, name: string, origin: string, vm: string): Promise<XapiRecord[]> {
  const cached = cls === 'VM' ? ctx.records?.vmSnapshotsNamed(name) : ctx.records?.vdiSnapshotsNamed(name);
  if (cached && cached.length === 0) return [];
  const refs = await ctx.pool.call<string[]>(`${cls}.get_by_name_label`, name);
  const out: XapiRecord[] = [];
  for (const ref of refs) {
    const record = await ctx.pool.call<XapiRecord>(`${cls}.get_record`, ref).catch(() => undefined);
    if (!record || !fieldBool(record.is_a_snapshot)) continue;
    const verdict = judgeLeftover(record, origin, { me: ctx.run, now: new Date(), isAlive: processAlive });
    if (verdict.remove) out.push(record);
    else ctx.bus.info(`snapshot ${record.uuid} (${name}) left alone: ${verdict.reason}`, vm);
  }
  return out;
}

/**
 * Removes a snapshot: `args` is the xe command (snapshot-uninstall / vm-uninstall / vdi-destroy).
 * Retried while busy and after transient failures (XAPI restarting, an export task winding down);
 * never given the abort signal: it must run while stopping.
 */
export async function removeSnapshot(ctx: RunContext, args: string[], vm: string): Promise<void> {
  const wait = ctx.sleep ?? sleep;
  await retryWhileBusy(`removing snapshot ${args[1]?.replace(/^uuid=/, '') ?? ''}`, busyRetry(ctx, vm), async () => {
    for (let attempt = 0; ; attempt++) {
      try {
        await xe(ctx.host, args);
        return;
      } catch (error) {
        if (busyOperation(error) !== undefined || attempt >= TRANSIENT_DELAYS_MS.length) throw error;
        await wait(TRANSIENT_DELAYS_MS[attempt]!);
      }
    }
  });
}

/** The xe command that removes a VM snapshot: the original's vm-uninstall once it is no longer a template. */
export function vmSnapshotRemoval(uuid: string, stillTemplate: boolean): string[] {
  return stillTemplate ? xeArgs.snapshotUninstall(uuid) : xeArgs.vmUninstall(uuid);
}
