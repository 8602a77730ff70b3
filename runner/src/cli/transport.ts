// Builds the Host and the XenAPI URL from the transport options.
import {
  createLocalHost,
  createSshHost,
  createXapiHost,
  sshMultiplexing,
  type Host,
  type LocalMachine,
} from '../host/index';
import { readPoolTrust } from './trust';
import type { TransportOptions } from './args';
import { existsSync } from 'node:fs';

const DEFAULT_XE = '/opt/xensource/bin/xe';

export interface Transport {
  host: Host;
  xapiUrl: string;
  /** Skip TLS certificate verification for the XenAPI connection (explicit opt-in only). */
  xapiInsecure: boolean;
  /** The pinned sha256 of the pool's certificate (normalised), when given. */
  xapiFingerprint?: string;
  /** Path of the pool trust file (--xapi-trust-file), read on the machine the runner runs on. */
  xapiTrustFile?: string;
  /** Set when the password would cross the network unencrypted (`--xapi http://` to another machine). */
  cleartextWarning?: string;
}

/** localhost, 127.0.0.0/8, ::1: traffic that never leaves this machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

function cleartextWarning(xapiUrl: string): Pick<Transport, 'cleartextWarning'> {
  const url = new URL(xapiUrl);
  if (url.protocol !== 'http:' || isLoopbackHost(url.hostname)) return {};
  return {
    cleartextWarning:
      `WARNING --xapi ${url.origin}/ is plain http: the root password and every XenAPI call ` +
      'cross the network unencrypted; use https://',
  };
}

function isLoopbackDefault(url: URL): boolean {
  return url.hostname === 'localhost' && (url.port === '' || url.port === '80') && url.protocol === 'http:';
}

function tlsOf(options: TransportOptions): Pick<Transport, 'xapiInsecure' | 'xapiFingerprint' | 'xapiTrustFile'> {
  return {
    xapiInsecure: options.xapiInsecure ?? false,
    ...(options.xapiFingerprint ? { xapiFingerprint: options.xapiFingerprint } : {}),
    ...(options.xapiTrustFile ? { xapiTrustFile: options.xapiTrustFile } : {}),
  };
}

export async function openTransport(
  options: TransportOptions,
  password: string,
  silenceMs?: number,
  machine: LocalMachine = { platform: process.platform },
): Promise<Transport> {
  if (options.kind === 'xapi' && options.xapi !== undefined) {
    // Agentless: no xe, no ssh; files on this machine, every pool step through XenAPI.
    const trustFile = options.xapiTrustFile;
    const host = createXapiHost({
      url: options.xapi,
      password,
      allowUnauthorized: options.xapiInsecure ?? false,
      ...(options.xapiFingerprint ? { fingerprint: options.xapiFingerprint } : {}),
      ...(trustFile ? { trust: () => readPoolTrust(trustFile) } : {}),
      ...(silenceMs !== undefined ? { silenceMs } : {}),
      machine,
    });
    return { host, xapiUrl: options.xapi, ...tlsOf(options), ...cleartextWarning(options.xapi) };
  }
  if (options.ssh) {
    const { user, host, port } = options.ssh;
    const bracketed = host.includes(':') ? `[${host}]` : host;
    const target = `${user}@${bracketed}${port ? `:${port}` : ''}`;
    const sshHost = await createSshHost({
      target,
      ...(options.xe ? { xePath: options.xe } : {}),
      ...(options.sshConfig ? { configFile: options.sshConfig } : {}),
      ...(silenceMs !== undefined ? { silenceMs } : {}),
      multiplex: sshMultiplexing(machine.platform, options.sshNoMultiplex),
    });
    const xapiUrl = options.xapi ?? `https://${bracketed}/`;
    return { host: sshHost, xapiUrl, ...tlsOf(options), ...cleartextWarning(xapiUrl) };
  }
  const xePath = options.xe ?? (existsSync(DEFAULT_XE) ? DEFAULT_XE : 'xe');
  const xapiUrl = options.xapi ?? 'http://localhost/';
  const url = new URL(xapiUrl);
  // On a pool host `xe` talks to the local xapi; with --xapi pointing elsewhere it must
  // reach the same pool: `xe -s host -p port [--nossl] -u root`, password through a file.
  const xeConnection = isLoopbackDefault(url)
    ? undefined
    : {
        server: url.hostname.replace(/^\[|\]$/g, ''),
        ...(url.port ? { port: Number(url.port) } : {}),
        user: 'root',
        password,
        noSsl: url.protocol === 'http:',
      };
  const host = createLocalHost({ xePath, ...(xeConnection ? { xeConnection } : {}), ...machine });
  return { host, xapiUrl, ...tlsOf(options), ...cleartextWarning(xapiUrl) };
}
