// The JSON contract of `vmbackup list --json` and `vmbackup verify --json` (docs/cli.md).
// The VS Code Backups view reads these objects, so a field here is a promise: add fields,
// never change what an existing one means (bump the `version` when one must change).
// Types only: the extension imports this file through `vmbackup-runner/backups/types`.

/** Bumped when a field changes meaning or goes away; new fields keep the version. */
export const BACKUPS_JSON_VERSION = 1;

/**
 * What a backup folder holds, from its export file's name: `<vm>.xva` (vm-export, not
 * compressed), `<vm>.xva.gz` / `<vm>.xva.zst` (vm-export, gzip / zstd), `<vm>.raw` /
 * `<vm>.vhd` (vdi-export of the boot disk), `metadata` (metadata-export: a `<vm>.xva` whose
 * tar holds only ova.xml; told apart from a vm-export by reading the file's first entries: a
 * vm-export of a VM without disks holds only ova.xml too and reads as `metadata`).
 */
export type BackupKind = 'xva' | 'xva.gz' | 'xva.zst' | 'raw' | 'vhd' | 'metadata';

/**
 * The archive check's verdict on the export file. `list` reports `unverified` for every
 * backup unless it is given `--verify` (it then reads every archive to its end, as `verify`
 * does); a success marker is not a verdict: the original wrote it without reading the file
 * back, and a file can be damaged after it was written.
 */
export type VerifiedState =
  /** `checked`: what the check proved, one line (members, chunks, sizes). */
  | { state: 'good'; checked: string }
  /** `reason`: the first damage found, with its byte offset or tar member. */
  | { state: 'damaged'; reason: string }
  | { state: 'unverified' };

/** Why the next run deletes a backup (runner/src/backup/retention.ts, the engine's own rule). */
export type DeletionReason =
  /** The newest backup has no success marker: the next run deletes it before it starts (lastFailedFolder). */
  | 'last-failed'
  /** pre_clean=true: deleted before the export to make room (one slot fewer). */
  | 'pre-clean'
  /** Beyond max_backups once the next run's backup succeeded (foldersToDelete). */
  | 'retention';

export interface BackupEntry {
  /** `backup-2016-01-29-(10:33:49)`. */
  folder: string;
  /** Full path of the folder on the host (local or the ssh target). */
  path: string;
  /**
   * The folder name's date as ISO 8601 UTC (folders are named in UTC: backup/layout.ts); ''
   * when the name holds no real date (`backup-2024-13-40-(..)` is still a backup folder to retention).
   */
  date: string;
  /** undefined when the folder holds no export file (a run that failed before the export). */
  kind?: BackupKind;
  /** The export file (`<vm>.xva.gz`, ...) and its size in bytes. */
  exportFile?: { name: string; bytes: number };
  /** Bytes of every file in the folder (export file + metadata files), counted recursively. */
  bytes: number;
  /** Which of `success`, `success_restore`, `success_compress`, `success_compressing` exist. */
  successMarkers: string[];
  /** True when any success marker exists: what retention counts as a successful backup. */
  success: boolean;
  verified: VerifiedState;
  /** True for the newest successful backup: retention never deletes it (neither may a UI). */
  newestSuccessful: boolean;
  /** Set when the next successful run of this VM deletes this folder, with the rule that does. */
  deletedByNextRun?: DeletionReason;
}

/** Where the number of backups to keep for a VM comes from. */
export type RetentionBasis =
  /** The config's `:N` on the VM's selection line (1-based `line`). */
  | { kind: 'vm-suffix'; maxBackups: number; line: number }
  /** The config's global `max_backups` (or its default when the config does not set it). */
  | { kind: 'config'; maxBackups: number }
  /** Only a BACKUP_DIR was given: the default max_backups, as a vm-selector run would use. */
  | { kind: 'default'; maxBackups: number }
  /** The config does not back this VM up: the next run of that config deletes none of it. */
  | { kind: 'not-selected' };

export interface VmBackups {
  /** The VM folder's name (the VM's name-label when it was backed up). */
  vm: string;
  path: string;
  /** Folders named like backups, oldest first (the order retention uses: by name). */
  backups: BackupEntry[];
  retention: RetentionBasis;
  /** True when the config sets pre_clean=true (deletions happen before the export). */
  preClean: boolean;
  /** Other entries of the VM folder: never counted nor deleted by retention. */
  otherEntries: string[];
}

/** A pool database dump `METADATA_<host>/pool_db_YYYYMMDD-HHMMSS.dump`. */
export interface PoolDump {
  /** `<host>` of `METADATA_<host>`: the pool master that wrote it. */
  host: string;
  file: string;
  path: string;
  /** ISO 8601 UTC from the file name, when it is named as the runner names dumps. */
  date?: string;
  bytes: number;
}

export interface BackupListing {
  type: 'backup-list';
  version: typeof BACKUPS_JSON_VERSION;
  /** `local` or `ssh root@host:22`. */
  host: string;
  backupDir: string;
  /** The config file given, when one was. */
  config?: string;
  /** One sentence on where the retention marks' max_backups come from. */
  retentionNote: string;
  /** True when `--verify` read every export file (else every backup is `unverified`). */
  verifiedAll: boolean;
  /** VM folders by name (code point order). */
  vms: VmBackups[];
  poolDumps: PoolDump[];
  /** Restoring a pool database is a manual step, never automatic: the command to use. */
  poolDumpNote: string;
  /** Entries of backup_dir that are neither a VM folder nor METADATA_<host> (files, e.g. a status log). */
  otherEntries: string[];
}

/** One BACKUP_FOLDER given to `vmbackup verify`. */
export interface FolderVerification {
  /** The folder as given on the command line. */
  folder: string;
  /** The VM folder's name (the parent folder). */
  vm: string;
  kind?: BackupKind;
  exportFile?: { name: string; bytes: number };
  success: boolean;
  /**
   * good: the export file was read to its end and proven complete; damaged: it was not (or
   * there is no export file); error: the folder or file could not be read (I/O, not a verdict).
   */
  result: 'good' | 'damaged' | 'error';
  /** What was checked, one item a line: tar members, chunk checksums, sizes, vhd footer, ... */
  checked: string[];
  /** The first damage found (result `damaged`), naming its byte offset or tar member. */
  damage?: string;
  /** Why the folder could not be checked (result `error`). */
  error?: string;
}

export interface VerifyReport {
  type: 'backup-verify';
  version: typeof BACKUPS_JSON_VERSION;
  host: string;
  folders: FolderVerification[];
  summary: { good: number; damaged: number; errors: number };
  /** 0 all good, 1 some damaged, 2 usage or I/O error (an error wins over damage). */
  exitCode: 0 | 1 | 2;
}

/** One BACKUP_FOLDER given to `vmbackup delete`. */
export interface FolderDeletion {
  /** The folder as given on the command line. */
  folder: string;
  /** The VM folder's name, when the path names one. */
  vm?: string;
  /**
   * deleted; would-delete (--dry-run); refused: the rule of backups/deletion.ts keeps it (the
   * reason says which part); error: it could not be read or removed (I/O, or no such folder).
   */
  result: 'deleted' | 'would-delete' | 'refused' | 'error';
  /** Why it was refused or failed; for a deleted newest backup, the damage that let it go. */
  reason?: string;
}

export interface DeleteReport {
  type: 'backup-delete';
  version: typeof BACKUPS_JSON_VERSION;
  host: string;
  backupDir: string;
  dryRun: boolean;
  folders: FolderDeletion[];
  summary: { deleted: number; refused: number; errors: number };
  /** 0 every folder deleted (or would be), 1 some refused, 2 usage or I/O error (an error wins). */
  exitCode: 0 | 1 | 2;
}
