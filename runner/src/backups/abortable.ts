// A file read that stops at once when the command is interrupted (SIGINT/SIGTERM), even while
// a read waits for bytes that do not come (a stalled ssh channel, a FIFO): `verify` of a large
// backup must not outlive a Ctrl-C or the extension cancelling it.

/** The pieces of `source` until `signal` aborts; then rejects with the signal's reason. */
export async function* untilAborted<T>(source: AsyncIterable<T>, signal?: AbortSignal): AsyncGenerator<T> {
  if (!signal) return yield* source;
  signal.throwIfAborted();
  const iterator = source[Symbol.asyncIterator]();
  let onAbort = (): void => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => undefined);
  let finished = false;
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), aborted]);
      if (next.done) {
        finished = true;
        return;
      }
      yield next.value;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    // The reader stopped early (done with the head of a file, or damage found): close the source.
    // After an abort the pending read may never settle: the process is ending, leave it.
    if (!finished && !signal.aborted) await iterator.return?.();
  }
}
