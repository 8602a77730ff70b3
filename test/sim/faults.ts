// Fault injection: switchable per test through the library (`sim.faults`) and over HTTP
// (`POST /_sim/faults`), which the xe command honours too because xe goes through the server.
import { failure, type XapiFailure } from './errors';

export interface FaultSettings {
  /** VM.snapshot and VDI.snapshot (and xe vm-snapshot / vdi-snapshot) fail with this error. */
  snapshotFailure: { code: string; params: string[] } | null;
  /** /export and /export_raw_vdi stop after this many body bytes; the task fails with VDI_IO_ERROR. */
  exportFailAfterBytes: number | null;
  /** xe writing an output file (vm-export, vdi-export, pool-dump-database) hits ENOSPC after this many bytes. */
  outputDiskFullAfterBytes: number | null;
  /** Throttles every export body to this many bytes per second. */
  exportBytesPerSecond: number | null;
  /** Every connection is reset (API, HTTP handlers and xe) except the /_sim control endpoints. */
  xapiDown: boolean;
  /** The main port behaves like a pool member: every call fails with HOST_IS_SLAVE [master address]. */
  hostIsSlave: boolean;
  /** Hosts (name-labels) whose endpoint drops every connection: a member xe cannot reach. */
  unreachableHosts: string[];
}

export const DEFAULT_SNAPSHOT_FAILURE = { code: 'SR_BACKEND_FAILURE_44', params: ['', 'There is insufficient space', ''] };

export function defaultFaults(): FaultSettings {
  return {
    snapshotFailure: null,
    exportFailAfterBytes: null,
    outputDiskFullAfterBytes: null,
    exportBytesPerSecond: null,
    xapiDown: false,
    hostIsSlave: false,
    unreachableHosts: [],
  };
}

export interface FaultController {
  /** Current settings (read-only view; change them with set/reset). */
  readonly settings: Readonly<FaultSettings>;
  /** Changes some settings; `snapshotFailure: true` selects the default SR_BACKEND_FAILURE_44. */
  set(patch: FaultPatch): void;
  /** Back to a healthy pool. */
  reset(): void;
  /** Session expiry: every open session becomes invalid (SESSION_INVALID on next use). */
  expireSessions(): void;
  /** Duplicate names appearing: adds another VM named `name` (events fire); returns its uuid. */
  addDuplicateName(name: string): string;
}

export type FaultPatch = Partial<Omit<FaultSettings, 'snapshotFailure'>> & {
  snapshotFailure?: FaultSettings['snapshotFailure'] | boolean;
};

function checkCount(name: string, v: unknown): void {
  if (v !== null && v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) {
    throw new Error(`fault ${name} must be a non-negative number or null`);
  }
}

/** Validates and applies a patch (from a test or from JSON posted to /_sim/faults). */
export function applyFaultPatch(settings: FaultSettings, patch: FaultPatch): void {
  const known = new Set(Object.keys(defaultFaults()));
  for (const key of Object.keys(patch)) if (!known.has(key)) throw new Error(`unknown fault ${key}`);
  checkCount('exportFailAfterBytes', patch.exportFailAfterBytes);
  checkCount('outputDiskFullAfterBytes', patch.outputDiskFullAfterBytes);
  checkCount('exportBytesPerSecond', patch.exportBytesPerSecond);
  if (patch.snapshotFailure !== undefined) {
    const s = patch.snapshotFailure;
    if (s === true) settings.snapshotFailure = { ...DEFAULT_SNAPSHOT_FAILURE };
    else if (s === false || s === null) settings.snapshotFailure = null;
    else if (typeof s === 'object' && typeof s.code === 'string') settings.snapshotFailure = { code: s.code, params: (s.params ?? []).map(String) };
    else throw new Error('fault snapshotFailure must be true, false, null or {code, params}');
  }
  for (const key of ['exportFailAfterBytes', 'outputDiskFullAfterBytes', 'exportBytesPerSecond'] as const) {
    if (patch[key] !== undefined) settings[key] = patch[key] ?? null;
  }
  if (patch.xapiDown !== undefined) settings.xapiDown = Boolean(patch.xapiDown);
  if (patch.hostIsSlave !== undefined) settings.hostIsSlave = Boolean(patch.hostIsSlave);
  if (patch.unreachableHosts !== undefined) {
    const hosts = patch.unreachableHosts;
    if (!Array.isArray(hosts) || !hosts.every((h) => typeof h === 'string')) {
      throw new Error('fault unreachableHosts must be a list of host names');
    }
    settings.unreachableHosts = [...hosts];
  }
}

export function snapshotFault(settings: FaultSettings): XapiFailure | undefined {
  const f = settings.snapshotFailure;
  return f ? failure(f.code, ...f.params) : undefined;
}
