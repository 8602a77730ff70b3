// The xen-api client wrapper: log in, read records. The runner reads the inventory and the
// records for metadata files through XenAPI (no `xe` output parsing for data); operations
// that change the pool go through `xe` on the Host, as the original does.
import { createClient, type Xapi } from 'xen-api';
import { certificateErrorIn, pinCertificate, type PoolTrust } from './tls';
import { DEFAULT_SILENCE_TIMEOUT_S, SilenceTimeoutError, secondsText, untilAborted } from './silence';

/** A call that ran into a timeout says so with the budget and the method. */
async function silentCall<T>(call: Promise<T>, method: string, silenceMs: number): Promise<T> {
  try {
    // xen-api retries a read-only call after a connection reset: at most twice the budget.
    return await untilAborted(call, undefined, 2 * silenceMs, method);
  } catch (error) {
    if (
      error instanceof SilenceTimeoutError ||
      (error instanceof Error && /operation timed out|Timeout Error/i.test(error.message))
    ) {
      throw new SilenceTimeoutError(
        `XenAPI gave no answer to ${method} within ${secondsText(silenceMs)} (the silence budget, --silence-timeout)`,
      );
    }
    throw error;
  }
}

export type XapiRecord = Record<string, unknown> & { uuid: string };

export interface PoolClient {
  readonly url: string;
  call<T = unknown>(method: string, ...args: unknown[]): Promise<T>;
  /** The VM's metadata export (`/export_metadata`: a tar holding ova.xml), as XAPI sends it. */
  exportMetadata(vmRef: string): Promise<Buffer>;
  /** The session's id, for HTTP handlers (`session_id=`): the xapi transport's downloads. */
  sessionId?(): string;
  close(): Promise<void>;
}

/**
 * What reading records needs. The inventory is built from a live connection (runner) or
 * from the language server's event-fed copy of the records, which has no downloads.
 */
export type RecordReader = Pick<PoolClient, 'call'>;

export class PoolConnectError extends Error {
  override readonly name = 'PoolConnectError';
  constructor(
    message: string,
    /** XenAPI error code such as SESSION_AUTHENTICATION_FAILED, when there is one. */
    readonly code?: string,
  ) {
    super(message);
  }
}

export interface ConnectOptions {
  user?: string;
  /** Accept any certificate (--xapi-insecure). Pinning a fingerprint is the safe way. */
  allowUnauthorized?: boolean;
  /** sha256 of the pool's own certificate, normalised (tls.ts normaliseFingerprint). */
  fingerprint?: string;
  /** How errors name the pin: `--xapi-fingerprint` by default. */
  pinnedBy?: string;
  /**
   * The silence budget (pool/silence.ts): each call must be answered, and a download must
   * keep sending, within it. Default: the runner's default budget.
   */
  silenceMs?: number;
  /** Every pool host's certificate (a trust file): the connection may move to another host. */
  trust?: PoolTrust;
}

const CONNECT_TIMEOUT_MS = 10_000; // undici's default, as before pinning

/**
 * Log in as `root` (the original's user). HOST_IS_SLAVE is followed to the master by the
 * client itself. Events are not watched: a run reads what it needs when it needs it.
 * The root password travels on this connection: an https certificate must be trusted by the
 * system or carry the pinned fingerprint, unless the admin explicitly accepts any
 * (--xapi-insecure).
 */
export async function connectPool(url: string, password: string, options: ConnectOptions = {}): Promise<PoolClient> {
  const silenceMs = options.silenceMs ?? DEFAULT_SILENCE_TIMEOUT_S * 1000;
  const xapi: Xapi = createClient({
    url,
    auth: { user: options.user ?? 'root', password },
    allowUnauthorized: options.allowUnauthorized ?? false,
    watchEvents: false,
    // Both: undici's header/body inactivity and xen-api's per-call limit. A peer that accepts
    // the connection and never answers fails the call instead of hanging the run.
    httpInactivityTimeout: silenceMs,
    callTimeout: silenceMs,
  });
  if (!options.allowUnauthorized) {
    pinCertificate(
      xapi,
      {
        fingerprint: options.fingerprint,
        pinnedBy: options.pinnedBy ?? '--xapi-fingerprint',
        ...(options.trust ? { trust: options.trust } : {}),
      },
      { connectTimeoutMs: Math.min(CONNECT_TIMEOUT_MS, silenceMs), inactivityTimeoutMs: silenceMs },
    );
  }
  try {
    // Logging in is a few calls (and xen-api retries some): the whole login gets the budget
    // of three calls.
    await untilAborted(xapi.connect(), undefined, 3 * silenceMs, 'logging in');
  } catch (error) {
    void xapi.disconnect().catch(() => undefined);
    const code = (error as { code?: string }).code;
    const certificate = certificateErrorIn(error);
    const silent =
      error instanceof SilenceTimeoutError || /timed out|timeout/i.test(error instanceof Error ? error.message : '');
    const detail = certificate
      ? certificate.message
      : code === 'SESSION_AUTHENTICATION_FAILED'
        ? 'authentication failed (wrong password?)'
        : silent
          ? `no answer within ${secondsText(silenceMs)} (the silence budget, --silence-timeout)`
          : error instanceof Error
            ? error.message
            : String(error);
    throw new PoolConnectError(`cannot log in to XenAPI at ${url}: ${detail}`, code);
  }
  return {
    url,
    call: <T>(method: string, ...args: unknown[]) => silentCall(xapi.call<T>(method, ...args), method, silenceMs),
    sessionId: () => xapi.sessionId,
    exportMetadata: async (vmRef: string) => {
      const get = async () => {
        const response = await xapi.getResource('/export_metadata/', { query: { ref: vmRef }, task: false });
        return Buffer.from(await response.body.arrayBuffer());
      };
      try {
        return await get();
      } catch (error) {
        if ((error as { response?: { statusCode?: number } }).response?.statusCode !== 401) throw error;
        // The session expired: HTTP handlers only answer 401, while an API call makes the
        // client log in again (SESSION_INVALID). Then the download is tried once more.
        await xapi.call('pool.get_all');
        return get();
      }
    },
    close: async () => {
      try {
        await xapi.disconnect();
      } catch {
        // The session is gone either way; nothing to clean up on our side.
      }
    },
  };
}

type RecordMap = Record<string, XapiRecord>;

export async function allRecords(pool: RecordReader, cls: string): Promise<RecordMap> {
  return pool.call<RecordMap>(`${cls}.get_all_records`);
}

const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const bool = (v: unknown): boolean => v === true || v === 'true';
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0));

export interface PoolMasterInfo {
  masterUuid: string;
  masterHostname: string;
  masterNameLabel: string;
  hosts: { uuid: string; nameLabel: string; hostname: string }[];
}

export async function loadPoolMaster(pool: RecordReader): Promise<PoolMasterInfo> {
  const [pools, hosts] = await Promise.all([allRecords(pool, 'pool'), allRecords(pool, 'host')]);
  const first = Object.values(pools)[0];
  const master = first ? hosts[str(first.master)] : undefined;
  return {
    masterUuid: master?.uuid ?? '',
    masterHostname: str(master?.hostname),
    masterNameLabel: str(master?.name_label),
    hosts: Object.values(hosts).map((h) => ({ uuid: h.uuid, nameLabel: str(h.name_label), hostname: str(h.hostname) })),
  };
}

/** Records behind the metadata files of one VM. */
export interface VmRecords {
  vm: XapiRecord;
  disks: { vbd: XapiRecord; vdi?: XapiRecord; sr?: XapiRecord }[];
  vifs: { vif: XapiRecord; network?: XapiRecord }[];
}

async function record(pool: RecordReader, cls: string, ref: unknown): Promise<XapiRecord | undefined> {
  if (typeof ref !== 'string' || ref === '' || ref === 'OpaqueRef:NULL') return undefined;
  try {
    return await pool.call<XapiRecord>(`${cls}.get_record`, ref);
  } catch {
    return undefined;
  }
}

export async function loadVmRecords(pool: RecordReader, vmRef: string, known?: XapiRecord): Promise<VmRecords> {
  const vm = known ?? (await pool.call<XapiRecord>('VM.get_record', vmRef));
  const disks = await Promise.all(
    ((vm.VBDs as string[] | undefined) ?? []).map(async (vbdRef) => {
      const vbd = (await record(pool, 'VBD', vbdRef))!;
      const vdi = vbd ? await record(pool, 'VDI', vbd.VDI) : undefined;
      const sr = vdi ? await record(pool, 'SR', vdi.SR) : undefined;
      return { vbd, vdi, sr };
    }),
  );
  const vifs = await Promise.all(
    ((vm.VIFs as string[] | undefined) ?? []).map(async (vifRef) => {
      const vif = (await record(pool, 'VIF', vifRef))!;
      const network = vif ? await record(pool, 'network', vif.network) : undefined;
      return { vif, network };
    }),
  );
  return { vm, disks: disks.filter((d) => d.vbd), vifs: vifs.filter((v) => v.vif) };
}

/** Every VM record (with its ref) whose name is exactly `name`: snapshots and templates too. */
export async function findVmsNamed(pool: RecordReader, name: string): Promise<{ ref: string; record: XapiRecord }[]> {
  const refs = await pool.call<string[]>('VM.get_by_name_label', name);
  const found = await Promise.all(refs.map(async (ref) => ({ ref, record: await record(pool, 'VM', ref) })));
  return found.filter((f): f is { ref: string; record: XapiRecord } => f.record !== undefined);
}

/** Snapshots (never real VMs) with this exact name: leftovers of an earlier run. */
export async function findVmSnapshotsNamed(pool: RecordReader, name: string): Promise<XapiRecord[]> {
  const refs = await pool.call<string[]>('VM.get_by_name_label', name);
  const records = await Promise.all(refs.map((ref) => record(pool, 'VM', ref)));
  return records.filter((r): r is XapiRecord => r !== undefined && bool(r.is_a_snapshot));
}

export async function findVdiSnapshotsNamed(pool: RecordReader, name: string): Promise<XapiRecord[]> {
  const refs = await pool.call<string[]>('VDI.get_by_name_label', name);
  const records = await Promise.all(refs.map((ref) => record(pool, 'VDI', ref)));
  return records.filter((r): r is XapiRecord => r !== undefined && bool(r.is_a_snapshot));
}

export { str as fieldText, bool as fieldBool, num as fieldNumber };
