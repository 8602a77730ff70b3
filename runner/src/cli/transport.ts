// Builds the Host and the XenAPI URL from the transport options.
import { createLocalHost, createSshHost, type Host } from '../host/index';
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
}

function isLoopbackDefault(url: URL): boolean {
  return url.hostname === 'localhost' && (url.port === '' || url.port === '80') && url.protocol === 'http:';
}

function tlsOf(options: TransportOptions): Pick<Transport, 'xapiInsecure' | 'xapiFingerprint'> {
  return { xapiInsecure: options.xapiInsecure ?? false, ...(options.xapiFingerprint ? { xapiFingerprint: options.xapiFingerprint } : {}) };
}

export async function openTransport(options: TransportOptions, password: string, silenceMs?: number): Promise<Transport> {
  if (options.ssh) {
    const { user, host, port } = options.ssh;
    const bracketed = host.includes(':') ? `[${host}]` : host;
    const target = `${user}@${bracketed}${port ? `:${port}` : ''}`;
    const sshHost = await createSshHost({
      target,
      ...(options.xe ? { xePath: options.xe } : {}),
      ...(options.sshConfig ? { configFile: options.sshConfig } : {}),
      ...(silenceMs !== undefined ? { silenceMs } : {}),
    });
    return { host: sshHost, xapiUrl: options.xapi ?? `https://${bracketed}/`, ...tlsOf(options) };
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
  return { host: createLocalHost({ xePath, ...(xeConnection ? { xeConnection } : {}) }), xapiUrl, ...tlsOf(options) };
}
