// The runner's way to match regexes within the time budget without blocking its event loop:
// the patterns run in a worker thread, the main thread keeps handling signals (SIGTERM stops
// the worker at once) and terminates the worker when one pattern runs past its budget.
// Same results as matchWithinBudget (matchBudget.ts): the same RegExp source, `u` flag.
import { Worker } from 'node:worker_threads';
import { knownOverBudget, type MatchResults, type PatternJob } from './matchBudget';

// Plain CommonJS so that it runs from the single-file bundle (no worker file on disk).
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
parentPort.once('message', ({ sources, names }) => {
  for (let k = 0; k < sources.length; k++) {
    const re = new RegExp(sources[k], 'u');
    const hits = [];
    for (let i = 0; i < names.length; i++) {
      if (re.test(names[i])) hits.push(i);
    }
    parentPort.postMessage({ index: k, hits });
  }
});
`;

export interface WorkerMatchOptions {
  budgetMs: number;
  signal?: AbortSignal;
  /** Called when the worker has started on its first pattern (tests wait for it). */
  onStart?: () => void;
  /** Called once per pattern still running after `slowMs` (the log says why the run waits). */
  slowMs?: number;
  onSlow?: (pattern: string) => void;
}

interface Progress {
  index: number;
  hits: number[];
}

/**
 * Runs `jobs` from `first` on in one worker; resolves with the index of the pattern that ran
 * over budget (the worker is then terminated), or jobs.length when all finished.
 */
function runWorker(jobs: readonly PatternJob[], first: number, names: string[], hits: number[][], options: WorkerMatchOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    let next = first;
    let timer: NodeJS.Timeout | undefined;
    let slowTimer: NodeJS.Timeout | undefined;
    const finish = (outcome: () => void) => {
      clearTimeout(timer);
      clearTimeout(slowTimer);
      options.signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      outcome();
    };
    const arm = () => {
      clearTimeout(timer);
      clearTimeout(slowTimer);
      timer = setTimeout(() => finish(() => resolve(next)), options.budgetMs);
      const { slowMs, onSlow } = options;
      if (slowMs !== undefined && onSlow) slowTimer = setTimeout(() => onSlow(jobs[next]!.pattern), slowMs);
    };
    const onAbort = () => finish(() => reject(options.signal!.reason));
    options.signal?.addEventListener('abort', onAbort);
    worker.on('online', () => {
      arm();
      if (first === 0) options.onStart?.();
    });
    worker.on('message', (progress: Progress) => {
      hits[first + progress.index] = progress.hits;
      next = first + progress.index + 1;
      if (next === jobs.length) finish(() => resolve(next));
      else arm();
    });
    worker.on('error', (error) => finish(() => reject(error)));
    worker.postMessage({ sources: jobs.slice(first).map((j) => j.regex.source), names });
  });
}

/** `matchWithinBudget` in a worker thread: the caller's event loop stays free; abortable. */
export async function matchInWorker(jobs: readonly PatternJob[], names: readonly string[], options: WorkerMatchOptions): Promise<MatchResults> {
  options.signal?.throwIfAborted();
  const results: MatchResults = new Map();
  const nameSet = new Set(names);
  const unique = [...nameSet];
  const seen = new Set<string>();
  const todo: PatternJob[] = [];
  for (const job of jobs) {
    if (seen.has(job.pattern)) continue;
    seen.add(job.pattern);
    if (knownOverBudget(job.pattern, nameSet)) results.set(job.pattern, 'too-expensive');
    else todo.push(job);
  }
  const hits: number[][] = [];
  let first = 0;
  while (first < todo.length) {
    const stopped = await runWorker(todo, first, unique, hits, options);
    if (stopped < todo.length) results.set(todo[stopped]!.pattern, 'too-expensive');
    first = stopped + 1;
  }
  todo.forEach((job, k) => {
    if (!results.has(job.pattern)) results.set(job.pattern, new Set(hits[k]!.map((i) => unique[i]!)));
  });
  return results;
}
