// Regex matching that cannot hang. A selection regex such as `(a+)+$` backtracks for minutes
// against a long VM name; V8 gives no step limit and its linear fallback engine refuses the
// look-arounds our translation uses for ^, $ and \b. So every pattern runs against the pool
// names with a time budget: synchronously inside a `vm` script whose `timeout` interrupts the
// regex (Node's watchdog terminates the execution), or in a worker thread (matchWorker.ts)
// that is terminated when the budget runs out. A pattern over budget is reported as "too
// expensive", never guessed as "no match".
import { Script, createContext, type Context } from 'node:vm';

/** Milliseconds one pattern may spend on the whole pool list (all names). */
export const DEFAULT_REGEX_BUDGET_MS = 1000;
export const REGEX_BUDGET_ENV = 'VMBACKUP_REGEX_BUDGET_MS';

/** The budget from `VMBACKUP_REGEX_BUDGET_MS` when it is a positive integer, else the default. */
export function regexBudgetFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[REGEX_BUDGET_ENV];
  return raw !== undefined && /^[1-9][0-9]{0,8}$/.test(raw.trim()) ? Number(raw.trim()) : DEFAULT_REGEX_BUDGET_MS;
}

export interface PatternJob {
  pattern: string;
  regex: RegExp;
}

/** For each pattern: the names it matches, or 'too-expensive'. */
export type MatchResults = Map<string, ReadonlySet<string> | 'too-expensive'>;

/**
 * Patterns found over budget in this process, with the name they were working on: a
 * later plan (the language server re-plans on every edit) reports them at once instead of
 * spending the budget again while that name is still in the pool.
 */
const overBudget = new Map<string, string>();
const OVER_BUDGET_LIMIT = 1000;

export function rememberOverBudget(pattern: string, name: string): void {
  if (overBudget.size >= OVER_BUDGET_LIMIT) overBudget.delete(overBudget.keys().next().value!);
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
  names: string[];
  next: number;
  first: number;
  nameIndex: number;
  sliceMs: number;
  results: number[][];
}

// Runs patterns from `job.next` on; starts no new pattern after `sliceMs`, so when the
// `timeout` (budget + slice) fires, the pattern in progress has had at least the budget.
const SCRIPT = new Script(`(() => {
  const started = Date.now();
  while (job.next < job.regexes.length) {
    if (job.next > job.first && Date.now() - started > job.sliceMs) return;
    const re = job.regexes[job.next];
    const names = job.names;
    const hits = [];
    for (let i = 0; i < names.length; i++) {
      job.nameIndex = i;
      if (re.test(names[i])) hits.push(i);
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
export function matchWithinBudget(jobs: readonly PatternJob[], names: readonly string[], budgetMs: number): MatchResults {
  const results: MatchResults = new Map();
  const nameSet = new Set(names);
  const unique = [...nameSet];
  const todo: PatternJob[] = [];
  const seen = new Set<string>();
  for (const job of jobs) {
    if (seen.has(job.pattern)) continue;
    seen.add(job.pattern);
    if (knownOverBudget(job.pattern, nameSet)) results.set(job.pattern, 'too-expensive');
    else todo.push(job);
  }
  if (todo.length === 0) return results;
  context ??= createContext({ job: null });
  const job: ScriptJob = { regexes: todo.map((t) => t.regex), names: unique, next: 0, first: 0, nameIndex: 0, sliceMs: SLICE_MS, results: [] };
  context.job = job;
  try {
    while (job.next < todo.length) {
      job.first = job.next;
      try {
        SCRIPT.runInContext(context, { timeout: budgetMs + SLICE_MS });
      } catch (error) {
        if (!isTimeout(error)) throw error;
        rememberOverBudget(todo[job.next]!.pattern, unique[job.nameIndex]!);
        job.results[job.next] = [];
        results.set(todo[job.next]!.pattern, 'too-expensive');
        job.next++;
      }
    }
  } finally {
    context.job = null;
  }
  todo.forEach((t, k) => {
    if (!results.has(t.pattern)) results.set(t.pattern, new Set(job.results[k]!.map((i) => unique[i]!)));
  });
  return results;
}
