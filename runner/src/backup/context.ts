// What every step of a run shares.
import type { Host } from '../host/types';
import type { PoolClient } from '../pool/xapi';
import type { PoolRecords } from '../pool/records';
import type { CompressMode } from '../config/types';
import type { EventBus, ExportKind } from './events';
import type { StatusLog } from './statusLog';
import type { RunIdentity } from './snapshots';

export interface BackupJob {
  vm: string;
  kind: ExportKind;
  /** Backups to keep for this VM (`:N` or the global max_backups). */
  maxBackups: number;
  /** The entry as the settings block shows it (`DEV-RH6:3`). */
  label: string;
}

export interface RunSettings {
  backupDir: string;
  /** undefined: no status log (vm-selector runs). */
  statusLog?: string;
  vdiExportFormat: 'raw' | 'vhd';
  compress: CompressMode;
  poolDbBackup: boolean;
  preClean: boolean;
  concurrency: number;
  dryRun: boolean;
  /** How long to keep retrying while another operation holds a VM (--busy-wait), in ms; default 10 min. */
  busyWaitMs?: number;
}

export interface RunContext {
  host: Host;
  pool: PoolClient;
  /** The pool's records read at the start of the run (undefined: ask XAPI for each VM). */
  records?: PoolRecords;
  bus: EventBus;
  settings: RunSettings;
  status: StatusLog;
  /** Short host name (first label), as in the status log. */
  server: string;
  signal: AbortSignal;
  now: () => Date;
  /** This run, as the owner written on every snapshot it makes. */
  run: RunIdentity;
  /** Snapshots this run made and could not remove (`<name> <uuid>`): reported at the end. */
  leaks: string[];
  /** Back-off waits (busy VM, transient failures); injectable for tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** A step that failed; `record` is the status-log word (`VM-EXPORT-FAIL`, ...). */
export class StepFailure extends Error {
  override readonly name = 'StepFailure';
  /** Already logged where it happened (the job does not log it again). */
  reported = false;
  constructor(
    readonly record: string,
    message: string,
    /** xe's own words, for the JSON error event's `detail`. */
    readonly detail?: string,
  ) {
    super(message);
  }
}
