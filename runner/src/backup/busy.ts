// OTHER_OPERATION_IN_PROGRESS: another tool (Xen Orchestra, XenCenter, a snapshot schedule,
// another vmbackup run) has an operation in progress on the VM. xapi itself waits for it before
// answering so (up to 2 h for a snapshot or a destroy, 120 s for an export: helpers.ml retry
// policies); the runner then retries with back-off within --busy-wait, and reports the VM as
// busy — naming the other operation — when the time is up.
import { XeError } from './xe';

const IN_PROGRESS = /Another operation involving the object is currently in progress|OTHER_OPERATION_IN_PROGRESS/;
const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 60_000;

/** The other operation (`migrate_send`, `export`, ...) when `error` is xe's OTHER_OPERATION_IN_PROGRESS. */
export function busyOperation(error: unknown): string | undefined {
  if (!(error instanceof XeError)) return undefined;
  const text = `${error.result.stderr}\n${error.result.stdout}`;
  if (!IN_PROGRESS.test(text)) return undefined;
  return /^operation_type: (.+)$/m.exec(text)?.[1]?.trim() ?? 'unknown operation';
}

export interface BusyRetry {
  /** Longest time to keep retrying, in ms (--busy-wait). */
  budgetMs: number;
  /** Waits `ms`; ends early when `signal` aborts. Injectable so tests need no real sleeps. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  now(): number;
  log(message: string): void;
  /** Stops the retries (the run is stopping). Removals pass none: they must finish. */
  signal?: AbortSignal;
  /** Runs before each retry (e.g. removes what the failed attempt left). */
  beforeRetry?: () => Promise<void>;
}

export class VmBusyError extends Error {
  override readonly name = 'VmBusyError';
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
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

/** Runs `work`, retrying while it fails with OTHER_OPERATION_IN_PROGRESS (1 s, 2 s, 4 s ... 60 s). */
export async function retryWhileBusy<T>(what: string, retry: BusyRetry, work: () => Promise<T>): Promise<T> {
  const started = retry.now();
  let delay = FIRST_DELAY_MS;
  for (;;) {
    try {
      return await work();
    } catch (error) {
      const operation = busyOperation(error);
      if (operation === undefined) throw error;
      const waited = retry.now() - started;
      if (waited + delay > retry.budgetMs || retry.signal?.aborted) {
        const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;
        throw new VmBusyError(
          `${what}: busy, another operation (${operation}) is in progress on it; gave up after ${seconds(waited)} of retries ` +
            `(--busy-wait ${seconds(retry.budgetMs)}): ${(error as Error).message}`,
        );
      }
      retry.log(`${what}: busy, another operation (${operation}) is in progress on it; retrying in ${delay / 1000} s`);
      await retry.sleep(delay, retry.signal);
      if (retry.signal?.aborted) throw new VmBusyError(`${what}: busy, another operation (${operation}) is in progress on it; the run was stopped`);
      delay = Math.min(delay * 2, MAX_DELAY_MS);
      await retry.beforeRetry?.();
    }
  }
}
