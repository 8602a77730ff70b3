// Turns the runner's event stream into what the user sees: log lines with a level, the text of
// the progress notification (which VM, which step, how many bytes) and the closing summary.
// Pure (no `vscode` import): unit-tested with recorded event streams.
import type { RunEvent, RunSummary } from 'vmbackup-runner/backup/events';
import { explainUnreachable } from './poolMessages';
import type { RunnerExit } from './runnerProcess';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** The level and text an event gets in the output channel; undefined = not logged. */
export function logLineFor(event: RunEvent): { level: LogLevel; text: string } | undefined {
  switch (event.type) {
    case 'progress':
      return undefined;
    case 'warning':
      return { level: 'warn', text: event.message };
    case 'error': {
      const located = event.location && !event.message.includes(event.location) ? `${event.location}: ` : '';
      return { level: 'error', text: located + event.message };
    }
    case 'vm-end':
      return {
        level: event.outcome === 'error' ? 'error' : event.outcome === 'warning' ? 'warn' : 'info',
        text: event.message,
      };
    case 'run-end':
      return {
        level: event.outcome === 'error' ? 'error' : event.outcome === 'warning' ? 'warn' : 'info',
        text: event.message,
      };
    default:
      return event.message === '' ? undefined : { level: 'info', text: event.message };
  }
}

/** An error for a summary: the log line's text, and xe's own words when the runner sent them. */
export function errorText(event: Extract<RunEvent, { type: 'error' }>): string {
  return event.detail ? `${event.message} (${event.detail})` : event.message;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${seconds % 60} s`;
}

/**
 * A runner message as a notification shows it: the original's emphasis (`**ERRORS DETECTED**`,
 * `***ERROR - `) and its pointer "(see above)" belong in the log, not in a toast.
 */
export function plainMessage(text: string): string {
  return text
    .replace(/\*{2,}\s*(ERRORS DETECTED|WARNING\(s\)|ERROR|WARNING)\s*\*{0,}/g, '$1')
    .replace(/\s*\(see above\)/g, '')
    .replace(/^(ERROR|WARNING)\b:?\s*-?\s*/, '')
    .trim();
}

/** One problem of a run, kept for the closing notification. */
export interface RunProblem {
  level: 'error' | 'warning';
  text: string;
  /** Config line (1-based) it belongs to, when the runner said so. */
  line?: number;
}

/** `file:3:16` -> 3. */
function lineOf(location: string | undefined): number | undefined {
  const match = location ? /:(\d+):\d+$/.exec(location) : null;
  return match ? Number(match[1]) : undefined;
}

/**
 * The short form of a problem: a config diagnostic (`file:3:16: error VMB030 Invalid regex: …
 * The original logs …`) becomes `line 3: Invalid regex: …` (its first sentence).
 */
export function shortProblem(problem: RunProblem): string {
  // "cannot log in to XenAPI at URL: connect ECONNREFUSED" never reached the login.
  const xapi = /XenAPI at (\S+?):\s/.exec(problem.text);
  const unreachable = xapi ? explainUnreachable(problem.text, xapi[1]!) : undefined;
  if (unreachable) return unreachable;
  let text = plainMessage(problem.text.replace(/^.*?:\d+:\d+:\s*(?:error|warning)\s+(?:VMB\d+\s+)?/, ''));
  const sentence = /^(.+?[.?!])\s/.exec(text);
  if (sentence && sentence[1]!.length >= 20) text = sentence[1]!;
  return problem.line !== undefined ? `line ${problem.line}: ${text}` : text;
}

/**
 * Every distinct problem, in order: one per config line (the diagnostic and the original's
 * `***ERROR - invalid regex` for the same line are one problem), without the runner's
 * closing "errors found (see above)" lines that only point back at the others.
 */
export function distinctProblems(problems: readonly RunProblem[], level: RunProblem['level']): RunProblem[] {
  const seenLines = new Set<number>();
  const seenTexts = new Set<string>();
  const out: RunProblem[] = [];
  for (const problem of problems) {
    if (problem.level !== level || /\(see above\)/.test(problem.text)) continue;
    if (problem.line !== undefined) {
      if (seenLines.has(problem.line)) continue;
      seenLines.add(problem.line);
    } else {
      const text = shortProblem(problem);
      if (seenTexts.has(text)) continue;
      seenTexts.add(text);
    }
    out.push(problem);
  }
  return out;
}

/** "line 3: …; line 4: …; and 4 more": at most `max` problems in full, the rest counted. */
export function listProblems(problems: readonly RunProblem[], max = 3): string {
  const shown = problems
    .slice(0, max)
    .map((p) => shortProblem(p).replace(/\.$/, ''))
    .join('; ');
  const more = problems.length - max;
  return more > 0 ? `${shown}; and ${more} more (see the log)` : shown;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Follows a run for the progress notification and the closing summary. */
export class RunTracker {
  private vm: string | undefined;
  private index = 0;
  private total = 0;
  private step = '';
  private bytes = 0;
  private totalBytes: number | undefined;
  private finishedVms = 0;
  private stopAsked = false;
  readonly warnings: string[] = [];
  readonly errors: string[] = [];
  readonly problems: RunProblem[] = [];
  /** VMs in the order they started. */
  readonly started: string[] = [];
  /** VMs whose backup failed, and those that were cut short by a Stop. */
  readonly failed: string[] = [];
  readonly interrupted: string[] = [];
  /** VMs whose last job has ended (vm-end seen). */
  readonly ended = new Set<string>();

  /**
   * @param planned the VMs the run is expected to back up (from the --dry-run plan), so a
   * stopped run can name the ones it never started.
   */
  constructor(readonly planned: readonly string[] = []) {}

  /** Call when the user asks to stop: VMs failing from now on were interrupted, not broken. */
  stopRequested(): void {
    this.stopAsked = true;
  }

  /** A line the runner wrote to stderr (argument errors, crash reports). */
  addStderr(line: string): void {
    this.errors.push(line);
    this.problems.push({ level: 'error', text: line });
  }

  /** Applies an event; returns the increment (percent of the whole run) it completes. */
  apply(event: RunEvent): number {
    switch (event.type) {
      case 'vm-start':
        this.vm = event.vm;
        this.index = event.index;
        this.total = event.total;
        this.step = '';
        this.bytes = 0;
        this.totalBytes = undefined;
        if (!this.started.includes(event.vm)) this.started.push(event.vm);
        return 0;
      case 'step':
        if (event.vm === undefined || event.vm === this.vm) this.step = event.step;
        return 0;
      case 'progress':
        if (event.vm === this.vm) {
          this.bytes = event.bytes;
          this.totalBytes = event.totalBytes;
        }
        return 0;
      case 'warning':
      case 'error': {
        // An error keeps xe's own words (detail) beside the command the log line names.
        const text = event.type === 'error' ? errorText(event) : event.message;
        (event.type === 'error' ? this.errors : this.warnings).push(text);
        const line = lineOf(event.location);
        this.problems.push({ level: event.type, text, ...(line !== undefined ? { line } : {}) });
        return 0;
      }
      case 'vm-end':
        this.finishedVms++;
        this.ended.add(event.vm);
        if (event.outcome === 'error') (this.stopAsked ? this.interrupted : this.failed).push(event.vm);
        return this.total > 0 ? 100 / this.total : 0;
      default:
        return 0;
    }
  }

  /** e.g. `web01 (2/5) · export · 1.3 GiB of 20 GiB`. */
  get message(): string {
    if (this.vm === undefined) return this.step || 'starting…';
    const parts = [`${this.vm} (${this.index}/${this.total})`];
    if (this.step) parts.push(this.step);
    if (this.bytes > 0)
      parts.push(
        this.totalBytes ? `${formatBytes(this.bytes)} of ${formatBytes(this.totalBytes)}` : formatBytes(this.bytes),
      );
    return parts.join(' · ');
  }

  get completedVms(): number {
    return this.finishedVms;
  }

  /** Jobs the runner announced (vm-start `total`), 0 before the first VM. */
  get announcedTotal(): number {
    return this.total;
  }
}

export interface RunOutcome {
  severity: 'info' | 'warning' | 'error';
  text: string;
}

function summaryCounts(summary: RunSummary): string {
  return `${summary.success} succeeded, ${summary.warning} with warnings, ${summary.error} failed`;
}

/** What a stopped backup did and did not do, VM by VM. */
function describeStopped(end: Extract<RunEvent, { type: 'run-end' }>, tracker: RunTracker, elapsed: string): string {
  const parts = [`${end.summary.success} succeeded`];
  if (end.summary.warning) parts.push(`${end.summary.warning} with warnings`);
  if (tracker.failed.length) parts.push(`failed: ${tracker.failed.join(', ')}`);
  // A VM that had started but did not finish was cut short; its snapshot and folder are gone.
  const cut = [...new Set([...tracker.interrupted, ...tracker.started.filter((vm) => !tracker.ended.has(vm))])];
  if (cut.length) parts.push(`interrupted, nothing kept: ${cut.join(', ')}`);
  const notStarted = tracker.planned.filter((vm) => !tracker.started.includes(vm));
  if (notStarted.length) parts.push(`not started: ${notStarted.join(', ')}`);
  else if (tracker.planned.length === 0 && tracker.announcedTotal > tracker.started.length) {
    parts.push(`${plural(tracker.announcedTotal - tracker.started.length, 'VM')} not started`);
  }
  return `Backup stopped by you: ${parts.join('; ')} (${elapsed})`;
}

/** The closing notification for a finished runner process. */
export function describeExit(action: 'preview' | 'backup', exit: RunnerExit, tracker: RunTracker): RunOutcome {
  const name = action === 'preview' ? 'Preview' : 'Backup';
  if (exit.spawnError)
    return { severity: 'error', text: `${name} could not start the runner: ${exit.spawnError.message}` };
  const errors = distinctProblems(tracker.problems, 'error');
  const warnings = distinctProblems(tracker.problems, 'warning');
  const end = exit.runEnd;
  if (!end) {
    const how = exit.signal ? `was ended by ${exit.signal}` : `exited with code ${exit.code}`;
    return { severity: 'error', text: `${name}: the runner ${how}${errors.length ? `: ${listProblems(errors)}` : ''}` };
  }
  const elapsed = formatDuration(end.elapsedMs);
  if (action === 'backup' && exit.stopped)
    return { severity: end.outcome === 'success' ? 'info' : 'warning', text: describeStopped(end, tracker, elapsed) };
  const stopped = exit.stopped ? ' (stopped)' : '';
  if (action === 'preview') {
    if (end.outcome === 'error' && errors.length) {
      return {
        severity: 'error',
        text: `Preview${stopped}: ${plural(errors.length, 'error')} to fix: ${listProblems(errors)}`,
      };
    }
    if (end.outcome === 'warning' && warnings.length) {
      return {
        severity: 'warning',
        text: `Preview${stopped}: ${plural(warnings.length, 'warning')}: ${listProblems(warnings)}`,
      };
    }
    return { severity: severityOf(end.outcome), text: `Preview${stopped}: ${plainMessage(end.message)}` };
  }
  // Nothing was backed up because the run stopped before the first VM (login, config, backup_dir).
  if (tracker.started.length === 0 && end.outcome === 'error' && errors.length) {
    return { severity: 'error', text: `Backup not run: ${listProblems(errors)}` };
  }
  const failed = tracker.failed.length ? `; failed: ${tracker.failed.join(', ')}` : '';
  return {
    severity: severityOf(end.outcome),
    text: `Backup${stopped}: ${summaryCounts(end.summary)} (${elapsed})${failed}`,
  };
}
function severityOf(outcome: 'success' | 'warning' | 'error'): RunOutcome['severity'] {
  return outcome === 'success' ? 'info' : outcome === 'warning' ? 'warning' : 'error';
}
