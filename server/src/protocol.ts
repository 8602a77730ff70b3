// The custom part of the protocol between the vmbackup extension and this server. The
// extension (client/) imports these types so both sides agree on method names and shapes.
// Documented for humans in docs/language-server.md.
export type { CoverageReport, CoverageVm, PoolConnectionState, PoolStatus } from './service/types';
export { BROWSE_REMOTE_FOLDER_COMMAND, REMOTE_FILE_SCHEME, RUN_PREVIEW_COMMAND } from './service/types';

/** Client -> server (request or notification) `vmbackup/setPoolPassword`. */
export interface SetPoolPasswordParams {
  /** The password from SecretStorage; an empty string forgets it and disconnects. */
  password: string;
}

/** Client -> server `initializationOptions`. */
export interface VmbackupInitializationOptions {
  /** Folder the server may write its offline inventory cache to (ExtensionContext.globalStorageUri.fsPath). */
  storagePath?: string;
  /** Debounce delay in ms between an edit and re-validation (default 10). */
  validationDelay?: number;
  /**
   * URI (string) of the docs/diagnostics.md bundled with the extension, e.g.
   * `file:///…/extensions/vmbackup/docs/diagnostics.md`. Each diagnostic's
   * `codeDescription.href` is `<docsUri>#<code in lower case>`; without it there is no link.
   */
  docsUri?: string;
}

/** Response of the request `vmbackup/serverStats` (used by the benchmark and bug reports). */
export interface ServerStats {
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  /** Memory outside the JS heap (buffers). */
  externalBytes: number;
  vmCount: number;
  openDocuments: number;
}

/** Client -> server request `vmbackup/checkConfigs`. */
export interface CheckConfigsParams {
  /**
   * Files to check (URI strings). Without it the server scans its workspace folders for `.cfg`
   * files that look like VmBackup configs (named like one, or most lines VmBackup keys or near
   * misses, with a selection, exclude or max_backups line).
   */
  uris?: string[];
}

/** Response of `vmbackup/checkConfigs`. The diagnostics themselves go out as textDocument/publishDiagnostics. */
export interface CheckConfigsResult {
  /** Every config checked (open documents keep their live diagnostics and are listed too). */
  configs: Array<{ uri: string; errors: number; warnings: number; open: boolean }>;
  /** `.cfg` files looked at that are not VmBackup configs (only when scanning). */
  skipped: number;
}

export const Methods = {
  setPoolPassword: 'vmbackup/setPoolPassword',
  connectPool: 'vmbackup/connectPool',
  disconnectPool: 'vmbackup/disconnectPool',
  getPoolStatus: 'vmbackup/getPoolStatus',
  poolStatus: 'vmbackup/poolStatus',
  serverStats: 'vmbackup/serverStats',
  checkConfigs: 'vmbackup/checkConfigs',
  coverage: 'vmbackup/coverage',
  backupTargets: 'vmbackup/backupTargets',
} as const;

/** Response of `vmbackup/backupTargets` (the Backups view): the workspace's configs and the pool's SRs. */
export interface BackupTargets {
  /** URI strings of every VmBackup config of the workspace (open or on disk). */
  configs: string[];
  /** SR names holding the pool's disks (from the inventory; empty without one), sorted. */
  srNames: string[];
}

/** Setting section read through workspace/configuration. */
export const SETTINGS_SECTION = 'vmbackup';
