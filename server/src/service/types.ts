// The types the pure features take: settings, the pool snapshot and the shapes of the custom
// requests they answer. They live here so that server/src/service depends on nothing outside
// itself and the runner's pure layers; settings.ts, livePool.ts and protocol.ts re-export them.
import type { Inventory } from 'vmbackup-runner/pool/inventory';

export type SeverityOverride = 'error' | 'warning' | 'information' | 'hint' | 'off';

export type Compatibility = 'extended' | 'original';

export interface ServerSettings {
  validate: {
    enable: boolean;
    severityOverrides: Record<string, SeverityOverride>;
    /** Like VmBackup.py's `ignore_extra_keys=true`: unknown keys are not errors. */
    ignoreExtraKeys: boolean;
  };
  compatibility: Compatibility;
  /** `vmbackup.runner.transport`: where backup_dir and status_log live (what their document links open). */
  runnerTransport: 'local' | 'ssh';
  /** `vmbackup.runner.sshTarget` (`user@host[:port]`), the host of the ssh transport. */
  runnerSshTarget: string;
  pool: {
    url: string;
    user: string;
    /** sha256 fingerprint of a self-signed certificate the user trusts ("AB:CD:..." or hex). */
    certificateFingerprint: string;
  };
}

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

export interface PoolSnapshot {
  inventory?: Inventory;
  status: PoolStatus;
  /** Increases whenever `inventory` is replaced; cache keys of derived results use it. */
  generation: number;
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

/** The command the code lens invokes; the extension registers it. Arguments: [documentUri]. */
export const RUN_PREVIEW_COMMAND = 'vmbackup.runPreview';

/**
 * Scheme of the extension's read-only file system over the runner's ssh transport:
 * `vmbackup-ssh://user@host:port/absolute/path` (the ssh target as the authority; no secret
 * is ever part of it: authentication is by key or agent).
 */
export const REMOTE_FILE_SCHEME = 'vmbackup-ssh';

/** The command a remote backup_dir links to: lists the folder. Arguments: [folder URI string]. */
export const BROWSE_REMOTE_FOLDER_COMMAND = 'vmbackup.browseRemoteFolder';
