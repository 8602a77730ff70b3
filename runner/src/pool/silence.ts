// The "seconds of silence" budget: how long the runner waits for a XenAPI answer (or for the
// next bytes of one) and for an ssh connection to answer before it gives up with a clear
// error. A pool that accepts connections and never answers must not hang a cron run forever.

/** Default seconds of silence before a XenAPI call or an ssh connection is given up. */
export const DEFAULT_SILENCE_TIMEOUT_S = 120;
export const SILENCE_TIMEOUT_ENV = 'VMBACKUP_SILENCE_TIMEOUT';

/** Seconds (a positive whole number) as milliseconds, or undefined when not one. */
export function parseSilenceSeconds(text: string): number | undefined {
  return /^[1-9][0-9]{0,6}$/.test(text.trim()) ? Number(text.trim()) * 1000 : undefined;
}

/** The budget from VMBACKUP_SILENCE_TIMEOUT (seconds) when valid, else the default, in ms. */
export function silenceTimeoutFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[SILENCE_TIMEOUT_ENV];
  return (raw === undefined ? undefined : parseSilenceSeconds(raw)) ?? DEFAULT_SILENCE_TIMEOUT_S * 1000;
}

export class SilenceTimeoutError extends Error {
  override readonly name = 'SilenceTimeoutError';
}

/** "2 s", "1.5 s": how the budget is shown in messages. */
export function secondsText(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

/**
 * `promise`, or a rejection as soon as `signal` aborts (with its reason) or `timeoutMs`
 * passes (SilenceTimeoutError naming `what`). The promise itself is left to settle unobserved.
 */
export function untilAborted<T>(promise: Promise<T>, signal?: AbortSignal, timeoutMs?: number, what = 'the answer'): Promise<T> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  if (!signal && timeoutMs === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => settle(() => reject(new SilenceTimeoutError(`no answer within ${secondsText(timeoutMs)}: ${what}`))), timeoutMs);
    const onAbort = () => settle(() => reject(signal!.reason));
    const settle = (outcome: () => void) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      outcome();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => settle(() => resolve(value)),
      (error: unknown) => settle(() => reject(error)),
    );
  });
}
