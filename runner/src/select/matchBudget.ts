// Regex matching that cannot hang. A selection regex such as `(a+)+$` backtracks for minutes
// against a long VM name; V8 gives no step limit and its linear fallback engine refuses the
// look-arounds our translation uses for ^, $ and \b. So every pattern runs against the pool
// names with a time budget: synchronously inside a `vm` script whose `timeout` interrupts the
// regex (Node's watchdog terminates the execution), or in a worker thread (matchWorker.ts)
// that is terminated when the budget runs out. A pattern over budget is reported as "too
// expensive", never guessed as "no match".
import { Script, createContext, type Context } from 'node:vm';
import { BoundedCache } from '../pyre/boundedCache';

/** Milliseconds one pattern may spend on the whole pool list (all names). */
export const DEFAULT_REGEX_BUDGET_MS = 1000;
export const REGEX_BUDGET_ENV = 'VMBACKUP_REGEX_BUDGET_MS';

/** The budget from `VMBACKUP_REGEX_BUDGET_MS` when it is a positive integer, else the default. */
export function regexBudgetFromEnv(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env[REGEX_BUDGET_ENV];
  return raw !== undefined && /^[1-9][0-9]{0,8}$/.test(raw.trim()) ? Number(raw.trim()) : DEFAULT_REGEX_BUDGET_MS;
}

// The budget used when a caller names none. This layer never reads the environment itself:
// the process's entry point (the language server's main.ts) sets it from there once.
let processBudgetMs = DEFAULT_REGEX_BUDGET_MS;

export function setRegexBudget(ms: number): void {
  processBudgetMs = ms;
}

export function regexBudget(): number {
  return processBudgetMs;
}

export interface PatternJob {
  pattern: string;
  regex: RegExp;
  /** Literal text every match starts with (pyre literalPrefix); other names are not tried. */
  prefix?: string;
}

/**
 * The distinct pool names, and per pattern the indices of the names worth trying: those that
 * start with its literal prefix (found by binary search in sorted order), or all.
 */
export class NameIndex {
  readonly names: string[];
  private readonly sorted: number[];
  private readonly all: number[];

  constructor(names: readonly string[]) {
    this.names = [...new Set(names)];
    this.all = this.names.map((_, i) => i);
    this.sorted = [...this.all].sort((a, b) =>
      this.names[a]! < this.names[b]! ? -1 : this.names[a]! > this.names[b]! ? 1 : 0,
    );
  }

  candidates(prefix: string | undefined): number[] {
    if (!prefix) return this.all;
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.names[this.sorted[mid]!]! < prefix) lo = mid + 1;
      else hi = mid;
    }
    const out: number[] = [];
    for (let i = lo; i < this.sorted.length && this.names[this.sorted[i]!]!.startsWith(prefix); i++)
      out.push(this.sorted[i]!);
    // In pool order, as the caller reports matches.
    return out.sort((a, b) => a - b);
  }
}

/** For each pattern: the names it matches, or 'too-expensive'. */
export type MatchResults = Map<string, ReadonlySet<string> | 'too-expensive'>;

/**
 * Patterns found over budget in this process, with the name they were working on: a
 * later plan (the language server re-plans on every edit) reports them at once instead of
 * spending the budget again while that name is still in the pool.
 */
const overBudget = new BoundedCache<string, string>(500);

export function rememberOverBudget(pattern: string, name: string): void {
  overBudget.set(pattern, name);
}

/** True when `pattern` already ran over budget on a name that is in `names`. */
export function knownOverBudget(pattern: string, names: ReadonlySet<string>): boolean {
  const name = overBudget.get(pattern);
  return name !== undefined && names.has(name);
}

/** Time a script may start new patterns for before it returns (the watchdog costs ~0.1 ms). */
const SLICE_MS = 20;

interface ScriptJob {
  regexes: RegExp[];
  /** Per pattern: indices into `names` to try. */
  candidates: number[][];
  names: string[];
  next: number;
  first: number;
  nameIndex: number;
  sliceMs: number;
  /** Per pattern: the matching name indices, or null when V8 could not run the regex. */
  results: Array<number[] | null>;
}

// Runs patterns from `job.next` on; starts no new pattern after `sliceMs`, so when the
// `timeout` (budget + slice) fires, the pattern in progress has had at least the budget.
const SCRIPT = new Script(`(() => {
  const started = Date.now();
  while (job.next < job.regexes.length) {
    if (job.next > job.first && Date.now() - started > job.sliceMs) return;
    const re = job.regexes[job.next];
    const names = job.names;
    const candidates = job.candidates[job.next];
    let hits = [];
    try {
      for (let c = 0; c < candidates.length; c++) {
        const i = candidates[c];
        job.nameIndex = i;
        if (re.test(names[i])) hits.push(i);
      }
    } catch (error) {
      // V8 compiles lazily and may then refuse a huge regex ("Stack overflow").
      hits = null;
    }
    job.results[job.next] = hits;
    job.next++;
  }
})()`);

let context: Context | undefined;

function isTimeout(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT';
}

/**
 * Matches every pattern against every name (`regex.test(name)`), each pattern within
 * `budgetMs`. Blocks the caller at most about `budgetMs` per over-budget pattern.
 */
export function matchWithinBudget(
  jobs: readonly PatternJob[],
  names: readonly string[],
  budgetMs: number,
): MatchResults {
  const results: MatchResults = new Map();
  const nameSet = new Set(names);
  const index = new NameIndex(names);
  const unique = index.names;
  const todo: PatternJob[] = [];
  const seen = new Set<string>();
  for (const job of jobs) {
    if (seen.has(job.pattern)) continue;
    seen.add(job.pattern);
    if (knownOverBudget(job.pattern, nameSet)) results.set(job.pattern, 'too-expensive');
    else todo.push(job);
  }
  if (todo.length === 0) return results;
  // A pattern no name can match needs no regex run (nor V8's compilation of it).
  const runnable: PatternJob[] = [];
  const candidates: number[][] = [];
  for (const t of todo) {
    const c = index.candidates(t.prefix);
    if (c.length === 0) results.set(t.pattern, new Set());
    else {
      runnable.push(t);
      candidates.push(c);
    }
  }
  if (runnable.length === 0) return results;
  context ??= createContext({ job: null });
  const job: ScriptJob = {
    regexes: runnable.map((t) => t.regex),
    candidates,
    names: unique,
    next: 0,
    first: 0,
    nameIndex: 0,
    sliceMs: SLICE_MS,
    results: [],
  };
  context.job = job;
  try {
    while (job.next < runnable.length) {
      job.first = job.next;
      try {
        SCRIPT.runInContext(context, { timeout: budgetMs + SLICE_MS });
      } catch (error) {
        if (!isTimeout(error)) throw error;
        // The watchdog may fire just after a pattern finished (or after the last one).
        if (job.next >= runnable.length) break;
        if (job.results[job.next] !== undefined) {
          job.next++;
          continue;
        }
        rememberOverBudget(runnable[job.next]!.pattern, unique[job.nameIndex]!);
        job.results[job.next] = [];
        results.set(runnable[job.next]!.pattern, 'too-expensive');
        job.next++;
      }
    }
  } finally {
    context.job = null;
  }
  runnable.forEach((t, k) => {
    if (results.has(t.pattern)) return;
    const hits = job.results[k];
    results.set(t.pattern, hits ? new Set(hits.map((i) => unique[i]!)) : 'too-expensive');
  });
  return results;
}
