// The custom part of the protocol between the vmbackup extension and this server. The
// extension (client/) imports these types so both sides agree on method names and shapes.
// Documented for humans in docs/language-server.md.

export type PoolConnectionState = 'disconnected' | 'connecting' | 'connected' | 'error' | 'stale';

/** Server -> client notification `vmbackup/poolStatus`, sent whenever the state changes. */
export interface PoolStatus {
  state: PoolConnectionState;
  /** Selectable VMs in the inventory the server currently uses (0 when it has none). */
  vmCount: number;
  /** One human sentence: "Connected to pool Lab as root (42 VMs)", the error, ... */
  message: string;
  /** The pool URL the status refers to (empty when none is configured). */
  url: string;
  /** Epoch ms when the inventory in use was fetched, when there is one. */
  fetchedAt?: number;
}

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

/** A VM of the pool and the config lines that back it up. */
export interface CoverageVm {
  name: string;
  uuid: string;
  powerState: string;
  /** 0-based lines; `list` says how (vm-export, vdi-export, metadata-export). */
  backedUpBy: Array<{ uri: string; line: number; list: 'vm-export' | 'vdi-export' | 'metadata-export' }>;
}

/** Response of the request `vmbackup/coverage` (params: CheckConfigsParams). Null without a pool inventory. */
export interface CoverageReport {
  /** The configs taken into account (open documents and the workspace configs found). */
  configs: string[];
  /** Every selectable VM of the pool, in pool order. */
  vms: CoverageVm[];
  /** uuids of VMs no config backs up. */
  notBackedUp: string[];
  /** uuids of VMs that more than one config backs up (vm-export / vdi-export). */
  backedUpTwice: string[];
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
} as const;

/** The command the code lens invokes; the extension registers it. Arguments: [documentUri]. */
export const RUN_PREVIEW_COMMAND = 'vmbackup.runPreview';

/** Setting section read through workspace/configuration. */
export const SETTINGS_SECTION = 'vmbackup';
