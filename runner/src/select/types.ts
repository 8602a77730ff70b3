// The result of VM selection: what the original VmBackup v3.25 would back up for a config and
// a pool, with the reasons (provenance) that the editor and the preview show.

import type { InventoryVm } from '../pool/inventory';

export type ListKind = 'vdi-export' | 'vm-export' | 'metadata-export';

/** Why a planned VM keeps the number of backups it keeps. */
export type MaxBackupsReason =
  | { kind: 'global' }
  /** `:N` written on `line` (0-based) applies. */
  | { kind: 'suffix'; line: number; n: number }
  /** `:N` with N <= 0 on `line`: the original silently uses the global value. */
  | { kind: 'suffix-not-positive'; line: number; text: string }
  /** `:N` on `line` is not an integer: the original stops with "vm_max_backup is invalid". */
  | { kind: 'suffix-invalid'; line: number; text: string }
  /** `:N` from `line` was replaced by the later entry from `lostTo` (which has no/other N). */
  | { kind: 'suffix-lost'; line: number; n: string; lostTo: number };

/** A raw list entry as the original builds it while reading the file. */
export interface RawEntry {
  name: string;
  /** `name` or `name:N`, exactly as the original's list holds it. */
  entry: string;
  /** The N text (part after the first `:` up to the next one), '' when absent. */
  suffix: string;
  /** 0-based line of the selection that appended it. */
  line: number;
}

export interface PlannedVm {
  name: string;
  list: ListKind;
  /** `name` or `name:N`: the original's list entry (what its preview prints). */
  entry: string;
  /** The selectable inventory VM(s) with this name-label (more than one = duplicate name). */
  vms: InventoryVm[];
  maxBackups: number;
  maxBackupsReason: MaxBackupsReason;
  /** 0-based line whose entry survived de-duplication. */
  selectedBy: number;
  /** Earlier entries of the same list that this one replaced in place (file order). */
  replaced: RawEntry[];
  /** Every other selection line (any list) that matched this VM name. */
  alsoMatchedBy: number[];
}

export interface ExcludedVm {
  name: string;
  /** 0-based line of the exclude that matched it first. */
  line: number;
  vms: InventoryVm[];
  /** How often the original's exclude list holds the name (once per VM with that name). */
  occurrences: number;
}

export type DropReason =
  /** vm-export skipped while loading: the exact name was already in the vdi-export list. */
  | 'vdi-export-precedence'
  /** vm-export removed after loading: "vdi-export duplicate - removing vm-export=X". */
  | 'vdi-export-duplicate'
  /** dropped by de-duplication because its name is excluded: "forcing exclude of: X". */
  | 'forced-exclude';

/** A VM a selection line matched that is not backed up by that line, and why. */
export interface DroppedVm {
  name: string;
  list: ListKind;
  entry: string;
  line: number;
  reason: DropReason;
  /** For forced-exclude: the exclude line; for vdi reasons: the vdi-export line. */
  becauseOf?: number;
}

export type LineStatus =
  | 'matched'
  | 'not-found'
  | 'invalid-regex'
  /** A regex that ran out of its time budget (matchBudget.ts): it fails the run like an invalid one. */
  | 'regex-too-expensive'
  /** `exclude=` / `vdi-export=` with an empty value. */
  | 'ignored-empty'
  /** A selection after every VM was excluded (or the pool is empty): the original skips it. */
  | 'ignored-no-vms';

/** What one exclude or selection line did. */
export interface LineOutcome {
  line: number;
  key: string;
  status: LineStatus;
  /** VM names it matched (in `all` order; may repeat for duplicate names). */
  matched: string[];
  /** True when the value (name part) is a plain name, false when it is a regex. */
  plain: boolean;
}

export type MessageLevel = 'error' | 'warning' | 'info';

/** A message of the original's log, with the line it belongs to when there is one. */
export interface PlanMessage {
  level: MessageLevel;
  /** Exact text the original logs (without the timestamp prefix). */
  text: string;
  line?: number;
  /**
   * `load` while reading the file, `cleanup` after it, `validate` after the settings block
   * (is_config_valid, `ERROR no VMs loaded`), `preview` only with preview.
   */
  phase: 'load' | 'cleanup' | 'validate' | 'preview';
  /** The diagnostic code the editor shows for the same finding (docs/diagnostics.md). */
  code?: string;
  /**
   * A `# vmbackup-disable-next-line` comment above `line` silenced this warning: the level is
   * then `info` and the run does not end with warnings (the editor hides it the same way).
   */
  suppressed?: boolean;
}

export interface DuplicateName {
  name: string;
  vms: InventoryVm[];
  /**
   * The config backs this name up (it is in a final list): an error (VMB043), the run fails
   * that VM. Otherwise only a warning (VMB046): the original's preview line is still logged.
   */
  selected: boolean;
  /** The config line the finding belongs to: the first line that matched the name, else the first selection. */
  line?: number;
}

export interface SelectionPlan {
  /** The three lists in the original's order (the backup order). */
  vdiExport: PlannedVm[];
  vmExport: PlannedVm[];
  metadataExport: PlannedVm[];
  /** The exclude list (VM names), in the order they were excluded. */
  excluded: ExcludedVm[];
  dropped: DroppedVm[];
  lines: LineOutcome[];
  messages: PlanMessage[];
  /** The global max_backups used for entries without (valid) `:N`. */
  globalMaxBackups: number;
  /** Names held by more than one non-snapshot VM in the pool (error when selected, else warning). */
  duplicateNames: DuplicateName[];
  /** Some line was an invalid regex (the original's `error_regex`), or one over the time budget. */
  regexErrors: boolean;
  /** Some selection or exclude matched nothing (the original's `warning_match`). */
  matchWarnings: boolean;
  /** Both lists (and metadata-export) are empty: "ERROR no VMs loaded". */
  noVmsLoaded: boolean;
}
