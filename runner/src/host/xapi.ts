// The xapi transport's Host (issue 14): backup files live on this machine (the local host's
// file operations), every pool step goes through XenAPI — the xe verbs of the engine are
// served by XenAPI calls and HTTP downloads (xapi-xe.ts). Export files are written once and
// checked while they are written; the verify step takes that result (checkedWhileWriting)
// instead of reading the file a second time.
import { Agent } from 'undici';
import type { ArchiveDamage, ArchiveSummary } from '../archive/index';
import { connectPool, type PoolClient } from '../pool/xapi';
import { createPinnedDispatcher, type PoolTrust } from '../pool/tls';
import { DEFAULT_SILENCE_TIMEOUT_S } from '../pool/silence';
import { createLocalHost, type LocalMachine } from './local';
import type { Host } from './types';
import { xapiXe } from './xapi-xe';

export interface XapiHostOptions {
  url: string;
  password: string;
  allowUnauthorized: boolean;
  fingerprint?: string;
  trust?: () => Promise<PoolTrust | undefined>;
  silenceMs?: number;
  /** This machine, whose disk receives the backups (default: process.platform's rules). */
  machine?: LocalMachine;
}

const CONNECT_TIMEOUT_MS = 10_000;

export function createXapiHost(options: XapiHostOptions): Host {
  // No xe path: the local host's own `xe` is never used (its verb is replaced below).
  const files = createLocalHost({ xePath: '/nonexistent/xe-is-not-used-by-the-xapi-transport', ...options.machine });
  const silenceMs = options.silenceMs ?? DEFAULT_SILENCE_TIMEOUT_S * 1000;
  let connecting: Promise<{ pool: PoolClient; dispatcher: Agent }> | undefined;
  const connect = async () => {
    const trust = await options.trust?.();
    const pin = { fingerprint: options.fingerprint, pinnedBy: '--xapi-fingerprint', ...(trust ? { trust } : {}) };
    const pool = await connectPool(options.url, options.password, {
      allowUnauthorized: options.allowUnauthorized,
      silenceMs,
      ...(options.fingerprint ? { fingerprint: options.fingerprint } : {}),
      ...(trust ? { trust } : {}),
    });
    const timeouts = { connectTimeoutMs: Math.min(CONNECT_TIMEOUT_MS, silenceMs), inactivityTimeoutMs: silenceMs };
    const dispatcher = options.allowUnauthorized
      ? new Agent({
          connect: { rejectUnauthorized: false, timeout: timeouts.connectTimeoutMs },
          bodyTimeout: silenceMs,
          headersTimeout: silenceMs,
        })
      : createPinnedDispatcher(pin, timeouts);
    return { pool, dispatcher };
  };
  const session = () => (connecting ??= connect());
  const checked = new Map<string, ArchiveSummary | ArchiveDamage>();
  let xe: ReturnType<typeof xapiXe> | undefined;
  const served = async () => {
    const { dispatcher: pinned } = await session();
    xe ??= xapiXe({
      pool: async () => (await session()).pool,
      base: new URL(options.url),
      dispatcher: pinned,
      taskWaitMs: silenceMs,
      checked: (file, outcome) => {
        if (outcome.damage) checked.set(file, outcome.damage);
        else if (outcome.summary) checked.set(file, outcome.summary);
      },
    });
    return xe;
  };
  return {
    ...files,
    description: `XenAPI ${new URL(options.url).origin}/`,
    reachesPoolMaster: true,
    async xe(args, runOptions) {
      return (await served())(args, runOptions);
    },
    checkedWhileWriting(path) {
      const result = checked.get(path);
      checked.delete(path);
      return result;
    },
    async close() {
      await files.close();
      if (connecting) {
        const { pool, dispatcher: pinned } = await connecting.catch(() => ({ pool: undefined, dispatcher: undefined }));
        await pool?.close();
        await pinned?.close().catch(() => undefined);
      }
    },
  };
}
