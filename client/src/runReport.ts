// Turns the runner's event stream into what the user sees: log lines with a level, the text of
// the progress notification (which VM, which step, how many bytes) and the closing summary.
// Pure (no `vscode` import): unit-tested with recorded event streams.
import type { RunEvent, RunSummary } from '../../runner/src/backup/events';
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
      return { level: event.outcome === 'error' ? 'error' : event.outcome === 'warning' ? 'warn' : 'info', text: event.message };
    case 'run-end':
      return { level: event.outcome === 'error' ? 'error' : event.outcome === 'warning' ? 'warn' : 'info', text: event.message };
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

/** Follows a run for the progress notification. */
export class RunTracker {
  private vm: string | undefined;
  private index = 0;
  private total = 0;
  private step = '';
  private bytes = 0;
  private totalBytes: number | undefined;
  private finishedVms = 0;
  readonly warnings: string[] = [];
  readonly errors: string[] = [];

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
        this.warnings.push(event.message);
        return 0;
      case 'error':
        this.errors.push(errorText(event));
        return 0;
      case 'vm-end':
        this.finishedVms++;
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
    if (this.bytes > 0) parts.push(this.totalBytes ? `${formatBytes(this.bytes)} of ${formatBytes(this.totalBytes)}` : formatBytes(this.bytes));
    return parts.join(' · ');
  }

  get completedVms(): number {
    return this.finishedVms;
  }
}

export interface RunOutcome {
  severity: 'info' | 'warning' | 'error';
  text: string;
}

function summaryCounts(summary: RunSummary): string {
  return `${summary.success} succeeded, ${summary.warning} with warnings, ${summary.error} failed`;
}

/** The closing notification for a finished runner process. */
export function describeExit(action: 'preview' | 'backup', exit: RunnerExit, tracker: RunTracker): RunOutcome {
  const name = action === 'preview' ? 'Preview' : 'Backup';
  if (exit.spawnError) return { severity: 'error', text: `${name} could not start the runner: ${exit.spawnError.message}` };
  const end = exit.runEnd;
  if (!end) {
    const how = exit.signal ? `was ended by ${exit.signal}` : `exited with code ${exit.code}`;
    const last = tracker.errors.at(-1);
    return { severity: 'error', text: `${name}: the runner ${how}${last ? `: ${last}` : ''}` };
  }
  const stopped = exit.stopped ? ' (stopped)' : '';
  const elapsed = formatDuration(end.elapsedMs);
  if (action === 'preview') {
    const detail = end.outcome === 'success' ? end.message : `${end.message}${tracker.errors.length ? ` — ${tracker.errors.at(-1)}` : ''}`;
    return { severity: severityOf(end.outcome), text: `Preview${stopped}: ${detail}` };
  }
  return { severity: severityOf(end.outcome), text: `Backup${stopped}: ${summaryCounts(end.summary)} (${elapsed})` };
}

function severityOf(outcome: 'success' | 'warning' | 'error'): RunOutcome['severity'] {
  return outcome === 'success' ? 'info' : outcome === 'warning' ? 'warning' : 'error';
}
