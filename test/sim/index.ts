// The XenServer pool simulator as a library: start it from a fixture, point xen-api or the `xe`
// command at it, switch faults, inspect or change its state. See docs/simulator.md.
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import type { ApiContext } from './api/context';
import { applyFaultPatch, defaultFaults, type FaultController, type FaultPatch, type FaultSettings } from './faults';
import type { Fixture, FixtureVm } from './fixture-types';
import { addVm as addFixtureVm, loadFixture, readFixture, type PoolIndex } from './fixture';
import { initZstd } from './http/body';
import { initDiskContent } from './http/disk';
import { createListener, type Listener } from './http/server';
import { BusyHolds } from './busy';
import { SimState } from './state';
import { applyTiming, defaultTiming, type TimingOption, type TimingSettings } from './timing';
import { selfSignedCertificate } from './tls';

export type { Fixture, FixtureVm, FixtureDisk, FixtureHost, FixtureSr, FixtureNetwork, FixtureGenerator, FixtureTemplate, Size } from './fixture-types';
export type { FaultController, FaultSettings, FaultPatch } from './faults';
export { SimState } from './state';
export { TIMING_PROFILES, holdActivity, releaseHolds, whenHolding, type TimingOption, type TimingProfile, type TimingSettings } from './timing';
export type { XapiRecord, ChangeEntry, DiskContent } from './state';

export interface SimulatorOptions {
  /** Path to a fixture JSON file, or the fixture itself. */
  fixture: string | Fixture;
  /** 0 = any free port (default). */
  port?: number;
  /** Loopback address to listen on (default 127.0.0.1). */
  host?: string;
  /** Serve https with a fresh self-signed certificate (see certificateFingerprint). */
  https?: boolean;
  /** root's password (default 'secret'). */
  password?: string;
  /** Also listen on 127.0.0.2 (same port) as a pool member answering HOST_IS_SLAVE [host]. */
  slavePort?: boolean;
  /**
   * Give every other host of the fixture its own endpoint at its address (loopback), same port,
   * with its own certificate when https (default true). Without them, a download redirected to
   * a member finds nobody there, as when a member cannot be reached.
   */
  members?: boolean;
  /** Longest wait of `xe`'s task poll between changes (default 1000 ms, as xapi's CLI server). */
  cliTaskPollMs?: number;
  /**
   * How long snapshots, destroys and exports take (timer waits on the server, no CPU): 'instant'
   * (the default), 'realistic', or single values. Wins over the fixture's `timing`.
   */
  timing?: TimingOption;
}

export interface TimingController {
  /** Current settings (read-only view; change them with set). */
  readonly settings: Readonly<TimingSettings>;
  /** A profile name or single values; unset values are kept. */
  set(option: TimingOption): void;
}

export interface Simulator {
  /** e.g. http://127.0.0.1:40123 */
  url: string;
  /** SHA-256 of the certificate (uppercase hex pairs joined by colons), when https. */
  certificateFingerprint?: string;
  /** Every host endpoint's certificate SHA-256 by host name-label (https only): each host has its own. */
  hostFingerprints: Record<string, string>;
  /** Every host endpoint's URL by host name-label (master and members). */
  hostUrls: Record<string, string>;
  /** Makes `host` (a name-label) the pool master (pool.designate_new_master): endpoints change roles. */
  designateMaster(host: string): void;
  /** URL of the pool member endpoint (slavePort option). */
  slaveUrl?: string;
  password: string;
  state: SimState;
  faults: FaultController;
  /** The timing model (also `POST /_sim/timing`). */
  timing: TimingController;
  /** Names → refs of hosts, SRs and networks of the fixture. */
  pool: PoolIndex;
  /**
   * Environment that makes test/sim/bin/xe talk to this simulator with no arguments:
   * XE_EXTRA_ARGS (the real xe's variable, comma-separated key=value defaults).
   */
  xeEnv(): Record<string, string>;
  /** Contents for ~/.xe (key=value lines) that point an ssh login's `xe` at this simulator. */
  xeConfigFile(): string;
  /** Absolute path of test/sim/bin/xe. */
  xePath: string;
  /** Adds a VM while running (events fire); returns its uuid. */
  addVm(spec: FixtureVm): string;
  close(): Promise<void>;
}

export const XE_PATH = join(import.meta.dirname, 'bin', 'xe');

function assertLoopback(host: string): void {
  if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) && host !== '::1' && host !== 'localhost') {
    throw new Error(`simulator host must be a loopback address, not ${host}`);
  }
}

function listen(l: Listener, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    l.server.once('error', onError);
    l.server.listen(port, host, () => {
      l.server.off('error', onError);
      resolve((l.server.address() as AddressInfo).port);
    });
  });
}

async function shutdown(l: Listener): Promise<void> {
  // Long polls answer (empty) first, so clients see a clean end rather than a reset.
  l.aborter.abort();
  await new Promise((r) => setTimeout(r, 10));
  await new Promise<void>((resolve) => {
    l.server.close(() => resolve());
    for (const s of l.sockets) s.destroy();
  });
}

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const host = options.host ?? '127.0.0.1';
  assertLoopback(host);
  await Promise.all([initDiskContent(), initZstd()]);
  const fixture = readFixture(options.fixture);
  const state = new SimState(fixture.name ?? 'pool');
  const pool = loadFixture(state, fixture);
  const password = options.password ?? 'secret';
  const settings: FaultSettings = defaultFaults();
  const timingSettings = defaultTiming();
  if (fixture.timing !== undefined) applyTiming(timingSettings, fixture.timing);
  if (options.timing !== undefined) applyTiming(timingSettings, options.timing);
  const timing: TimingController = { settings: timingSettings, set: (option) => applyTiming(timingSettings, option) };
  const lifetime = new AbortController();
  const scheme = options.https ? 'https' : 'http';
  // The master listens where the simulator was asked to; its host record says so.
  const masterRecord = state.get('host', pool.master)!;
  const masterSpec = fixture.hosts?.find((h) => h.name === masterRecord.name_label);
  if (masterSpec?.address === undefined) state.update('host', pool.master, { address: host });
  const memberHosts = options.members === false ? [] : [...pool.hosts.values()].filter((ref) => {
    const address = String(state.get('host', ref)!.address);
    return ref !== pool.master && address !== host && /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address);
  });
  const listeners: Listener[] = [];
  const addVm = (spec: FixtureVm) => String(state.get('VM', addFixtureVm(state, pool, spec))!.uuid);
  const dropConnections = (except?: Socket) => {
    for (const l of listeners) for (const s of l.sockets) if (s !== except) s.destroy();
    for (const l of listeners) l.aborter.abort();
    for (const l of listeners) l.aborter = new AbortController();
  };
  const busy = new BusyHolds(state, settings);
  const faults: FaultController = {
    settings,
    set(patch: FaultPatch) {
      applyFaultPatch(settings, patch);
      if (patch.vmBusy !== undefined) busy.sync();
      if (settings.xapiDown) dropConnections();
    },
    reset() {
      const held = settings.vmBusy !== null;
      Object.assign(settings, defaultFaults());
      if (held) busy.sync();
    },
    expireSessions() {
      for (const ref of state.refs('session')) state.destroy('session', ref);
    },
    addDuplicateName(name: string) {
      return addVm({ name, power: 'Halted', disks: [{ size: '1GiB' }] });
    },
  };
  const hooks = {
    status: () => settings,
    timing: (body: unknown) => {
      if (body !== undefined) timing.set(body as TimingOption);
      return timingSettings;
    },
    control(body: unknown, from: Socket) {
      if (!body || typeof body !== 'object' || Array.isArray(body)) throw new Error('body must be a JSON object');
      const { reset, expireSessions, addDuplicateName, ...patch } = body as Record<string, unknown>;
      if (reset) faults.reset();
      const added: string[] = [];
      for (const name of addDuplicateName === undefined ? [] : [addDuplicateName].flat()) {
        if (typeof name !== 'string') throw new Error('addDuplicateName must be a name or a list of names');
        added.push(faults.addDuplicateName(name));
      }
      if (expireSessions) faults.expireSessions();
      applyFaultPatch(settings, patch as FaultPatch);
      if ('vmBusy' in patch || reset) busy.sync();
      if (settings.xapiDown) dropConnections(from);
      return { settings, added };
    },
  };
  const ctx: ApiContext = {
    state, faults: settings, busy, timing: timingSettings, lifetime: lifetime.signal, password, masterAddress: host,
    ...(options.cliTaskPollMs !== undefined ? { cliTaskPollMs: options.cliTaskPollMs } : {}),
  };
  // Every endpoint: the master's, each member's (own address, own certificate), and the legacy
  // slave port; all on one port number, as every host of a pool uses 443.
  const endpoints: { address: string; ctx: ApiContext; name?: string }[] = [
    { address: host, ctx: { ...ctx, hostRef: pool.master }, name: String(masterRecord.name_label) },
    ...memberHosts.map((ref) => ({ address: String(state.get('host', ref)!.address), ctx: { ...ctx, hostRef: ref }, name: String(state.get('host', ref)!.name_label) })),
  ];
  if (options.slavePort && !endpoints.some((e) => e.address === '127.0.0.2')) endpoints.push({ address: '127.0.0.2', ctx: { ...ctx, slaveOf: host } });
  const certificates = options.https ? await Promise.all(endpoints.map((e) => selfSignedCertificate(e.address))) : [];
  let port = options.port ?? 0;
  for (let attempt = 0; ; attempt++) {
    const started: Listener[] = [];
    try {
      for (const [i, e] of endpoints.entries()) {
        const l = createListener(e.ctx, hooks, certificates[i]);
        started.push(l);
        const got = await listen(l, i === 0 ? (options.port ?? 0) : port, e.address);
        if (i === 0) port = got;
      }
      listeners.push(...started);
      break;
    } catch (error) {
      await Promise.all(started.map(shutdown));
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || options.port || attempt > 20) throw error;
    }
  }
  const endpointUrl = (address: string) => `${scheme}://${address.includes(':') ? `[${address}]` : address}:${port}`;
  const hostUrls: Record<string, string> = {};
  const hostFingerprints: Record<string, string> = {};
  endpoints.forEach((e, i) => {
    if (e.name === undefined) return;
    hostUrls[e.name] = endpointUrl(e.address);
    if (certificates[i]) hostFingerprints[e.name] = certificates[i]!.fingerprint;
  });
  const slaveEndpoint = options.slavePort ? endpoints.find((e) => e.address === '127.0.0.2') : undefined;
  const url = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const xeDefaults: [string, string][] = [
    ['server', host],
    ['port', String(port)],
    ['username', 'root'],
    ['password', password],
    ...(options.https ? [] : [['nossl', 'true'] as [string, string]]),
  ];
  return {
    url,
    certificateFingerprint: certificates[0]?.fingerprint,
    hostFingerprints,
    hostUrls,
    designateMaster(name: string) {
      const ref = pool.hosts.get(name);
      if (!ref) throw new Error(`no host named ${name}`);
      state.update('pool', state.refs('pool')[0]!, { master: ref });
    },
    slaveUrl: slaveEndpoint ? endpointUrl(slaveEndpoint.address) : undefined,
    password,
    state,
    faults,
    timing,
    pool,
    xePath: XE_PATH,
    xeEnv: () => ({ XE_EXTRA_ARGS: xeDefaults.map(([k, v]) => `${k}=${v}`).join(',') }),
    xeConfigFile: () => xeDefaults.map(([k, v]) => `${k}=${v}\n`).join(''),
    addVm,
    async close() {
      lifetime.abort();
      busy.close();
      state.wakeAll();
      await Promise.all(listeners.map(shutdown));
    },
  };
}
