// The JSON report of a run (config key `report_file`): every VM with its result, folder,
// size and duration, plus the run's summary — for monitoring that would rather read JSON
// than parse the status log. It is built from the run's event stream only (subscribe
// `collector.sink` to the EventBus), so it says exactly what the log said.

import type { EventSink, ExportKind, Outcome, RunEvent, RunSummary } from '../backup/events';
import type { Host } from '../host/types';

export interface VmReport {
  name: string;
  kind: ExportKind;
  outcome: Outcome;
  /** The backup folder made for this VM, when one was made. */
  folder?: string;
  /** Size of the export file in bytes (0 when none). */
  bytes: number;
  elapsedMs: number;
  warnings: string[];
  errors: string[];
}

export interface RunReport {
  format: 'vmbackup-run-report';
  formatVersion: 1;
  version: string;
  mode: Extract<RunEvent, { type: 'run-start' }>['mode'];
  /** Config file, absent in vm-selector mode. */
  config?: string;
  /** Where it ran: `local` or `ssh root@host:22`. */
  host: string;
  started: string;
  ended: string;
  elapsedMs: number;
  outcome: Outcome;
  exitCode: 0 | 1 | 2;
  summary: RunSummary;
  vms: VmReport[];
  /** Warnings and errors not tied to one VM (config, lock, pool DB, ...). */
  warnings: string[];
  errors: string[];
}

/** Collects the events of one run into a RunReport. */
export class RunReportCollector {
  private start: Extract<RunEvent, { type: 'run-start' }> | undefined;
  private end: Extract<RunEvent, { type: 'run-end' }> | undefined;
  private readonly vms = new Map<string, VmReport>();
  private readonly warnings: string[] = [];
  private readonly errors: string[] = [];

  readonly sink: EventSink = (event) => this.add(event);

  private vm(name: string, kind: ExportKind = 'vm-export'): VmReport {
    let entry = this.vms.get(name);
    if (!entry) {
      entry = { name, kind, outcome: 'success', bytes: 0, elapsedMs: 0, warnings: [], errors: [] };
      this.vms.set(name, entry);
    }
    return entry;
  }

  add(event: RunEvent): void {
    switch (event.type) {
      case 'run-start':
        this.start = event;
        break;
      case 'vm-start':
        this.vm(event.vm, event.kind).kind = event.kind;
        break;
      case 'warning':
        if (event.vm !== undefined) this.vm(event.vm).warnings.push(event.message);
        else this.warnings.push(event.message);
        break;
      case 'error': {
        const said = event.detail ? `${event.message} (${event.detail})` : event.message;
        const text = event.location ? `${event.location}: ${said}` : said;
        if (event.vm !== undefined) this.vm(event.vm).errors.push(text);
        else this.errors.push(text);
        break;
      }
      case 'vm-end': {
        const entry = this.vm(event.vm, event.kind);
        Object.assign(entry, {
          kind: event.kind,
          outcome: event.outcome,
          bytes: event.bytes,
          elapsedMs: event.elapsedMs,
        });
        if (event.folder !== undefined) entry.folder = event.folder;
        break;
      }
      case 'run-end':
        this.end = event;
        break;
      default:
        break;
    }
  }

  /** The report, once the run has ended (undefined before its run-end event). */
  report(): RunReport | undefined {
    if (!this.end) return undefined;
    const ended = this.end.time;
    const started = this.start?.time ?? new Date(Date.parse(ended) - this.end.elapsedMs).toISOString();
    return {
      format: 'vmbackup-run-report',
      formatVersion: 1,
      version: this.start?.version ?? '',
      mode: this.start?.mode ?? 'backup',
      ...(this.start?.config !== undefined ? { config: this.start.config } : {}),
      host: this.start?.host ?? '',
      started,
      ended,
      elapsedMs: this.end.elapsedMs,
      outcome: this.end.outcome,
      exitCode: this.end.exitCode,
      summary: { ...this.end.summary },
      vms: [...this.vms.values()],
      warnings: [...this.warnings],
      errors: [...this.errors],
    };
  }
}

/**
 * Write the report as pretty JSON. It goes to a temporary name first and is renamed into
 * place, so a monitoring check never reads half a report.
 */
export async function writeRunReport(
  target: Pick<Host, 'writeFile' | 'rename'>,
  path: string,
  report: RunReport,
): Promise<void> {
  const temporary = `${path}.tmp-${process.pid}`;
  await target.writeFile(temporary, `${JSON.stringify(report, null, 2)}\n`);
  await target.rename(temporary, path);
}

function size(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${bytes} B`;
}

/** A plain-text rendering (mail body when there is no status log, e.g. vm-selector mode). */
export function renderRunReportText(report: RunReport): string {
  const { success, warning, error } = report.summary;
  const lines = [
    `VmBackup run on ${report.host} (${report.mode}${report.config ? `, ${report.config}` : ''})`,
    `started ${report.started}, ended ${report.ended}, outcome ${report.outcome.toUpperCase()}, ` +
      `S:${success} W:${warning} E:${error}`,
    '',
  ];
  for (const vm of report.vms) {
    lines.push(
      `${vm.outcome.toUpperCase().padEnd(7)} ${vm.kind} ${vm.name}  ${size(vm.bytes)}  ` +
        `${Math.round(vm.elapsedMs / 1000)} s${vm.folder ? `  ${vm.folder}` : ''}`,
    );
    for (const message of [...vm.errors, ...vm.warnings]) lines.push(`        ${message}`);
  }
  if (report.errors.length + report.warnings.length > 0) lines.push('');
  for (const message of [...report.errors, ...report.warnings]) lines.push(message);
  return `${lines.join('\n')}\n`;
}
