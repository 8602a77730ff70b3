// The live pool: a xen-api connection whose event-fed records (poolEvents.ts) are turned into
// an Inventory snapshot for the IDE features. Features only ever read `snapshot()`; nothing here
// is awaited by a hover. The last inventory is cached on disk and served, labelled stale,
// while the pool is unreachable.
import { staleNote } from './service/poolText';
import { createClient, type Xapi, type XapiOptions } from 'xen-api';
import type { Inventory } from '../../runner/src/pool/inventory';
import { selectableVms } from '../../runner/src/pool/inventory';
import { loadInventory } from '../../runner/src/pool/xapi';
import { PoolRecords } from './poolEvents';
import { releaseTransientMemory } from './memory';
import { PoolCache } from './poolCache';
import type { PoolConnectionState, PoolStatus } from './protocol';
import { certificateErrorIn, normaliseFingerprint, pinCertificate } from '../../runner/src/pool/tls';

export interface PoolTarget {
  url: string;
  user: string;
  certificateFingerprint: string;
}

export interface PoolSnapshot {
  inventory?: Inventory;
  status: PoolStatus;
  /** Increases whenever `inventory` is replaced; cache keys of derived results use it. */
  generation: number;
}

export interface LivePoolOptions {
  storagePath?: string;
  onChange: (snapshot: PoolSnapshot) => void;
  log: (message: string) => void;
  connectTimeoutMs?: number;
}

const REBUILD_DELAY_MS = 50;
const CACHE_WRITE_DELAY_MS = 1000;
/** From this many VMs on, a full load leaves enough garbage to be worth a collection. */
const LARGE_POOL = 1000;

/** Network failures say what failed, not a login problem. */
const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused: nothing listens there (is it the pool master\'s address and port?)',
  ENOTFOUND: 'the host name is not known (DNS)',
  EAI_AGAIN: 'the host name could not be resolved (DNS)',
  ETIMEDOUT: 'no answer (timed out)',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  ECONNRESET: 'the connection was reset',
};

function describeError(error: unknown, url?: string): string {
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } } | undefined;
  if (e?.code === 'SESSION_AUTHENTICATION_FAILED') return 'The pool rejected the user name or password.';
  const network = NETWORK_ERRORS[e?.code ?? ''] ?? NETWORK_ERRORS[e?.cause?.code ?? ''];
  const code = e?.code && NETWORK_ERRORS[e.code] ? e.code : e?.cause?.code;
  if (network) return `Cannot reach ${url ?? 'the pool'}: ${network} (${code}).`;
  const certificate = certificateErrorIn(error);
  if (certificate) return capitalise(certificate.message);
  const cause = e?.cause?.message ? ` (${e.cause.message})` : '';
  return `${e?.code && !e.message?.includes(e.code) ? `${e.code}: ` : ''}${e?.message ?? String(error)}${cause}`;
}

/** Without a scheme the TLS layer reports raw OpenSSL text: say what to write instead. */
export function schemeProblem(url: string): string | undefined {
  if (/^https?:\/\//i.test(url)) return undefined;
  return `vmbackup.pool.url "${url}" has no scheme: write https://${url.replace(/^[a-z]*:?\/+/i, '')}`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export class LivePool {
  private target: PoolTarget = { url: '', user: 'root', certificateFingerprint: '' };
  private password = '';
  private wanted = true; // false after an explicit disconnectPool
  private client: Xapi | undefined;
  private records: PoolRecords | undefined;
  private attempt = 0;
  private inventory: Inventory | undefined;
  private vmCount = 0;
  private generation = 0;
  private state: PoolConnectionState = 'disconnected';
  private message = 'No pool configured (set vmbackup.pool.url).';
  private rebuildTimer: NodeJS.Timeout | undefined;
  private cacheTimer: NodeJS.Timeout | undefined;
  private readonly cache: PoolCache;

  constructor(private readonly options: LivePoolOptions) {
    this.cache = new PoolCache(options.storagePath);
  }

  snapshot(): PoolSnapshot {
    const status: PoolStatus = {
      state: this.state,
      vmCount: this.vmCount,
      message: this.message,
      url: this.target.url,
      fetchedAt: this.inventory?.fetchedAt,
    };
    return { inventory: this.inventory, status, generation: this.generation };
  }

  /** New settings: reconnects only when url, user or fingerprint really changed. */
  async configure(target: PoolTarget): Promise<void> {
    const same =
      target.url === this.target.url && target.user === this.target.user && target.certificateFingerprint === this.target.certificateFingerprint;
    if (same) return;
    const sameIdentity = target.url === this.target.url && target.user === this.target.user;
    // Close (and cache) under the old target before switching: the cache is keyed by it.
    await this.closeClient();
    this.target = { ...target };
    if (!sameIdentity) {
      // Another pool or user: the password we hold is not for it (the client sends the right one).
      this.password = '';
      this.setInventory(undefined);
    }
    if (!target.url) return this.setState('disconnected', 'No pool configured (set vmbackup.pool.url).');
    const scheme = schemeProblem(target.url);
    if (scheme) return this.setState('error', scheme);
    if (!this.inventory) await this.loadCache();
    if (this.password && this.wanted) return this.connect();
    this.setOfflineState(this.password ? 'Disconnected.' : 'No password yet: run "VmBackup: Set Pool Password".');
  }

  async setPassword(password: string): Promise<void> {
    this.password = password;
    this.wanted = true;
    if (!password) {
      await this.closeClient();
      if (!this.target.url) return this.setState('disconnected', 'No pool configured (set vmbackup.pool.url).');
      return this.setOfflineState('No password yet: run "VmBackup: Set Pool Password".');
    }
    if (this.target.url) await this.connect();
  }

  /** (Re)connects now. Resolves once connected or failed; never throws. */
  async connect(): Promise<void> {
    this.wanted = true;
    await this.closeClient();
    if (!this.target.url) return this.setState('disconnected', 'No pool configured (set vmbackup.pool.url).');
    const scheme = schemeProblem(this.target.url);
    if (scheme) return this.setOfflineState(scheme, true);
    if (!this.password) return this.setOfflineState('No password yet: run "VmBackup: Set Pool Password".');
    const attempt = ++this.attempt;
    const pinned = normaliseFingerprint(this.target.certificateFingerprint);
    if (this.target.certificateFingerprint && !pinned) {
      return this.setOfflineState('vmbackup.pool.certificateFingerprint is not a sha256 fingerprint (64 hex digits).', true);
    }
    this.setState('connecting', `Connecting to ${this.target.url} as ${this.target.user}...`);
    let client: Xapi;
    try {
      const options = {
        url: this.target.url,
        auth: { user: this.target.user, password: this.password },
        allowUnauthorized: false,
        // Our own compact event loop (poolEvents.ts) replaces xen-api's full object cache.
        watchEvents: false,
        callTimeout: { 'event.from': 75_000, '*': 30_000 },
      };
      // xen-api's typings take one number for callTimeout; 4.7.6 also takes this per-method map.
      client = createClient(options as unknown as XapiOptions);
      // The runner's certificate check: system-trusted, or exactly the pinned fingerprint.
      pinCertificate(
        client,
        { fingerprint: pinned, pinnedBy: 'vmbackup.pool.certificateFingerprint' },
        { connectTimeoutMs: this.options.connectTimeoutMs ?? 15_000, inactivityTimeoutMs: 5 * 60_000 },
      );
    } catch (error) {
      return this.setOfflineState(`Cannot use vmbackup.pool.url "${this.target.url}": ${describeError(error)}`, true);
    }
    this.client = client;
    const records = new PoolRecords(client, {
      changed: () => {
        if (attempt !== this.attempt) return;
        clearTimeout(this.rebuildTimer);
        this.rebuildTimer = setTimeout(() => void this.rebuild(), REBUILD_DELAY_MS);
      },
      failed: (error) => {
        if (attempt !== this.attempt) return;
        this.options.log(`pool events failed: ${describeError(error)}`);
        this.setOfflineState(`Lost the pool (${describeError(error)}); retrying.`, true);
      },
    });
    this.records = records;
    try {
      await withTimeout(client.connect(), this.options.connectTimeoutMs ?? 15_000, 'connecting timed out');
      await withTimeout(records.load(), this.options.connectTimeoutMs ?? 60_000, 'loading the VM list timed out');
    } catch (error) {
      if (attempt !== this.attempt) return;
      this.options.log(`pool connection failed: ${describeError(error, this.target.url)}`);
      await this.closeClient();
      return this.setOfflineState(describeError(error, this.target.url), true);
    }
    if (attempt !== this.attempt) return;
    await this.rebuild();
  }

  async disconnect(): Promise<void> {
    this.wanted = false;
    await this.closeClient();
    this.setOfflineState('Disconnected.');
  }

  async dispose(): Promise<void> {
    await this.closeClient();
    await this.flushCache();
  }

  private async rebuild(): Promise<void> {
    const records = this.records;
    if (!records) return;
    let inventory: Inventory;
    try {
      inventory = await loadInventory(records.asRecordReader());
    } catch (error) {
      this.options.log(`could not build the inventory: ${describeError(error)}`);
      return;
    }
    if (records !== this.records) return;
    inventory.poolName = records.poolName();
    this.setInventory(inventory);
    if (!records.healthy) return this.setOfflineState('Lost the pool; retrying.', true);
    const name = inventory.poolName ? `pool ${inventory.poolName}` : this.target.url;
    this.setState('connected', `Connected to ${name} as ${this.target.user} (${this.vmCount} VMs).`);
    clearTimeout(this.cacheTimer);
    this.cacheTimer = setTimeout(() => void this.flushCache(), CACHE_WRITE_DELAY_MS);
  }

  private async flushCache(): Promise<void> {
    clearTimeout(this.cacheTimer);
    this.cacheTimer = undefined;
    const inventory = this.inventory;
    if (!inventory || inventory.source !== 'live') return;
    try {
      await this.cache.save(this.target.url, this.target.user, inventory);
    } catch (error) {
      this.options.log(`could not write the inventory cache: ${describeError(error)}`);
    }
    if (this.records?.takeFreshLoad() && inventory.vms.length >= LARGE_POOL) releaseTransientMemory();
  }

  private async loadCache(): Promise<void> {
    const cached = await this.cache.load(this.target.url, this.target.user);
    if (cached) this.setInventory(cached);
  }

  private async closeClient(): Promise<void> {
    this.attempt++;
    clearTimeout(this.rebuildTimer);
    const client = this.client;
    this.client = undefined;
    this.records?.stop();
    this.records = undefined;
    if (this.inventory?.source === 'live') {
      await this.flushCache();
      this.inventory = { ...this.inventory, source: 'cache' };
    }
    if (client) await client.disconnect().catch(() => undefined);
  }

  private setInventory(inventory: Inventory | undefined): void {
    this.inventory = inventory;
    this.vmCount = inventory ? selectableVms(inventory).length : 0;
    this.generation++;
  }

  /** Not connected: stale when a cached inventory is at hand, otherwise error/disconnected. */
  private setOfflineState(message: string, failed = false): void {
    if (this.inventory) this.setState('stale', `${message} ${staleNote(this.inventory.fetchedAt)}`);
    else this.setState(failed ? 'error' : 'disconnected', message);
  }

  private setState(state: PoolConnectionState, message: string): void {
    this.state = state;
    this.message = message;
    this.options.onChange(this.snapshot());
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
