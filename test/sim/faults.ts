// Fault injection: switchable per test through the library (`sim.faults`) and over HTTP
// (`POST /_sim/faults`), which the xe command honours too because xe goes through the server.
import { failure, type XapiFailure } from './errors';
import { EXPORT_DAMAGES, type ExportDamage } from './http/damage';

export interface FaultSettings {
  /** VM.snapshot and VDI.snapshot (and xe vm-snapshot / vdi-snapshot) fail with this error. */
  snapshotFailure: { code: string; params: string[] } | null;
  /** /export and /export_raw_vdi stop after this many body bytes; the task fails with VDI_IO_ERROR. */
  exportFailAfterBytes: number | null;
  /** xe writing an output file (vm-export, vdi-export, pool-dump-database) hits ENOSPC after this many bytes. */
  outputDiskFullAfterBytes: number | null;
  /** Exports succeed (xe exits 0) but the file is damaged this way (http/damage.ts). */
  exportDamage: ExportDamage | null;
  /** Throttles every export body to this many bytes per second. */
  exportBytesPerSecond: number | null;
  /** Every connection is reset (API, HTTP handlers and xe) except the /_sim control endpoints. */
  xapiDown: boolean;
  /** The main port behaves like a pool member: every call fails with HOST_IS_SLAVE [master address]. */
  hostIsSlave: boolean;
  /** Hosts (name-labels) whose endpoint drops every connection: a member xe cannot reach. */
  unreachableHosts: string[];
  /**
   * Another tool (XO, XenCenter, a snapshot schedule) holds VMs busy: every VM whose uuid or
   * name-label is `vm` — and a snapshot made later under that name, from when it appears — has
   * `operation` (default migrate_send) in current_operations for `seconds` (null: until the
   * fault is cleared). Operations that may not overlap it wait, then fail (vm-operations.ts).
   */
  vmBusy: VmBusy | null;
}

export interface VmBusy {
  vm: string;
  operation: string;
  seconds: number | null;
}

export const DEFAULT_SNAPSHOT_FAILURE = { code: 'SR_BACKEND_FAILURE_44', params: ['', 'There is insufficient space', ''] };

export function defaultFaults(): FaultSettings {
  return {
    snapshotFailure: null,
    exportFailAfterBytes: null,
    outputDiskFullAfterBytes: null,
    exportDamage: null,
    exportBytesPerSecond: null,
    xapiDown: false,
    hostIsSlave: false,
    unreachableHosts: [],
    vmBusy: null,
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

export type FaultPatch = Partial<Omit<FaultSettings, 'snapshotFailure' | 'vmBusy'>> & {
  snapshotFailure?: FaultSettings['snapshotFailure'] | boolean;
  vmBusy?: { vm: string; operation?: string; seconds?: number | null } | null;
};

function parseVmBusy(v: unknown): VmBusy | null {
  if (v === null || v === false) return null;
  const b = v as Record<string, unknown>;
  if (!b || typeof b !== 'object' || typeof b.vm !== 'string' || b.vm === '') throw new Error('fault vmBusy must be null or {vm, operation?, seconds?}');
  if (b.operation !== undefined && (typeof b.operation !== 'string' || b.operation === '')) throw new Error('fault vmBusy.operation must be an operation name');
  checkCount('vmBusy.seconds', b.seconds);
  return { vm: b.vm, operation: (b.operation as string | undefined) ?? 'migrate_send', seconds: (b.seconds as number | null | undefined) ?? null };
}

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
  const vmBusy = patch.vmBusy === undefined ? undefined : parseVmBusy(patch.vmBusy);
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
  if (patch.exportDamage !== undefined) {
    const damage = patch.exportDamage;
    if (damage !== null && !EXPORT_DAMAGES.includes(damage)) throw new Error(`fault exportDamage must be null or one of ${EXPORT_DAMAGES.join(', ')}`);
    settings.exportDamage = damage;
  }
  if (patch.xapiDown !== undefined) settings.xapiDown = Boolean(patch.xapiDown);
  if (patch.hostIsSlave !== undefined) settings.hostIsSlave = Boolean(patch.hostIsSlave);
  if (patch.unreachableHosts !== undefined) {
    const hosts = patch.unreachableHosts;
    if (!Array.isArray(hosts) || !hosts.every((h) => typeof h === 'string')) throw new Error('fault unreachableHosts must be a list of host names');
    settings.unreachableHosts = [...hosts];
  }
  if (vmBusy !== undefined) settings.vmBusy = vmBusy;
}

export function snapshotFault(settings: FaultSettings): XapiFailure | undefined {
  const f = settings.snapshotFailure;
  return f ? failure(f.code, ...f.params) : undefined;
}
