// The one structured event stream of a run. The engine, the preview and the CLI emit only
// these; renderers turn them into the original's log lines (`YYYY-MM-DD-(HH:MM:SS) - msg`)
// or JSON lines (`--json`, consumed by the VS Code extension). Every event carries the
// human `message` the original would have logged, so both renderings say the same thing.

export type ExportKind = 'vm-export' | 'vdi-export' | 'metadata-export';
export type Outcome = 'success' | 'warning' | 'error';

interface EventBase {
  /** ISO 8601 timestamp (UTC) of the moment the event happened. */
  time: string;
  /** The log line text without the timestamp prefix (empty for progress). */
  message: string;
}

export interface RunStartEvent extends EventBase {
  type: 'run-start';
  /** restore and healthcheck: `vmbackup restore|healthcheck` (runner/src/restore), dry-run or not. */
  mode: 'backup' | 'preview' | 'dry-run' | 'restore' | 'healthcheck';
  /** Config file path, or undefined for a vm-selector run. */
  config?: string;
  /** `local` or `ssh root@host:22`. */
  host: string;
  version: string;
}

/** A plain log line (settings block, df output, progress notes of the original). */
export interface InfoEvent extends EventBase {
  type: 'info';
  vm?: string;
}

export interface VmStartEvent extends EventBase {
  type: 'vm-start';
  vm: string;
  kind: ExportKind;
  /** 1-based position of this VM in the run, and the number of VMs. */
  index: number;
  total: number;
}

export interface StepEvent extends EventBase {
  type: 'step';
  vm?: string;
  /** Stable step id: snapshot, export, verify, metadata, retention, cleanup, pool-db, df, ... */
  step: string;
}

export interface ProgressEvent extends EventBase {
  type: 'progress';
  vm: string;
  /** Bytes written so far to the export file. */
  bytes: number;
  /** Expected total when known (raw/vhd exports), else undefined. */
  totalBytes?: number;
}

export interface WarningEvent extends EventBase {
  type: 'warning';
  vm?: string;
  /** For config-related warnings: `file:line:col` of the line it belongs to. */
  location?: string;
}

export interface ErrorEvent extends EventBase {
  type: 'error';
  vm?: string;
  /** For config diagnostics: `file:line:col` of the problem. */
  location?: string;
  /**
   * For a failed xe step: what xe said (its first error lines, ` | `-joined). The log shows
   * those lines before the error; `message` names the command, as the original's line did.
   */
  detail?: string;
}

export interface VmEndEvent extends EventBase {
  type: 'vm-end';
  vm: string;
  kind: ExportKind;
  outcome: Outcome;
  /** Backup folder created for this VM (absent when none was made). */
  folder?: string;
  /** Size of the export file in bytes (0 when none). */
  bytes: number;
  elapsedMs: number;
}

export interface RunSummary {
  success: number;
  warning: number;
  error: number;
}

export interface RunEndEvent extends EventBase {
  type: 'run-end';
  outcome: Outcome;
  summary: RunSummary;
  /** The process exit code that follows: 0 success, 1 warnings, 2 errors. */
  exitCode: 0 | 1 | 2;
  elapsedMs: number;
}

/** The result of `vmbackup restore` / `healthcheck`, just before run-end (runner/src/restore). */
export interface RestoreReportEvent extends EventBase {
  type: 'restore-report';
  command: 'restore' | 'healthcheck';
  dryRun: boolean;
  /** The backup restored from, and what it is. */
  folder: string;
  kind: ExportKind | 'pool-db';
  /** The VM the backup was made of. */
  vm?: string;
  /** The VM made by the restore (its name, uuid), when one was made. */
  newName?: string;
  newUuid?: string;
  /** The VDI made by a vdi-export restore. */
  vdiUuid?: string;
  started: boolean;
  /** healthcheck: reached Running, and whether the temporary VM was removed again. */
  running?: boolean;
  removed?: boolean;
  outcome: Outcome;
}

export type RunEvent =
  | RunStartEvent
  | RestoreReportEvent
  | InfoEvent
  | VmStartEvent
  | StepEvent
  | ProgressEvent
  | WarningEvent
  | ErrorEvent
  | VmEndEvent
  | RunEndEvent;

export type RunEventType = RunEvent['type'];

/** Distributes an event without its `time`, which is stamped here. */
export type EmitInput = RunEvent extends infer E ? (E extends RunEvent ? Omit<E, 'time'> : never) : never;

export type EventSink = (event: RunEvent) => void;

export class EventBus {
  private readonly sinks: EventSink[] = [];
  constructor(private readonly now: () => Date = () => new Date()) {}

  subscribe(sink: EventSink): () => void {
    this.sinks.push(sink);
    return () => {
      const i = this.sinks.indexOf(sink);
      if (i >= 0) this.sinks.splice(i, 1);
    };
  }

  emit(input: EmitInput): RunEvent {
    const event = { time: this.now().toISOString(), ...input } as RunEvent;
    for (const sink of this.sinks) sink(event);
    return event;
  }

  info(message: string, vm?: string): void {
    this.emit({ type: 'info', message, ...(vm === undefined ? {} : { vm }) });
  }
  step(step: string, message: string, vm?: string): void {
    this.emit({ type: 'step', step, message, ...(vm === undefined ? {} : { vm }) });
  }
  warning(message: string, vm?: string, location?: string): void {
    this.emit({
      type: 'warning',
      message,
      ...(vm === undefined ? {} : { vm }),
      ...(location === undefined ? {} : { location }),
    });
  }
  error(message: string, vm?: string, location?: string): void {
    this.emit({
      type: 'error',
      message,
      ...(vm === undefined ? {} : { vm }),
      ...(location === undefined ? {} : { location }),
    });
  }
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `2016-01-29-(10:33:49)`, local time, as the original's log prefix. */
export function logTimestamp(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}-(${pad(date.getHours())}:${pad(
    date.getMinutes(),
  )}:${pad(date.getSeconds())})`;
}

/**
 * The original's log line for an event, or undefined when the original logs nothing for
 * it (progress). An empty message is still a line (`<time> - `, as the original logged an
 * empty line of xe's output). Multi-line messages keep the prefix on the first line only,
 * like the original's `log(out)`.
 */
export function renderLogLine(event: RunEvent): string | undefined {
  if (event.type === 'progress') return undefined;
  return `${logTimestamp(new Date(event.time))} - ${event.message}`;
}

/** One JSON object per line; `type` and `time` always present. */
export function renderJsonLine(event: RunEvent): string {
  return JSON.stringify(event);
}

/** Exit code for a summary: 0 all succeeded, 1 warnings, 2 errors. */
export function exitCodeFor(summary: RunSummary): 0 | 1 | 2 {
  if (summary.error > 0) return 2;
  if (summary.warning > 0) return 1;
  return 0;
}

export function outcomeFor(summary: RunSummary): Outcome {
  return summary.error > 0 ? 'error' : summary.warning > 0 ? 'warning' : 'success';
}
