// TLS for XenAPI connections. XenServer / XCP-ng hosts usually present a self-signed
// certificate. We accept it only when its sha256 fingerprint equals the one the admin pinned
// (the runner's --xapi-fingerprint, the language server's vmbackup.pool.certificateFingerprint);
// a certificate the system trusts is always fine. One mechanism for both, because the root
// password travels on this connection. Every host of a pool has its own certificate and the
// connection moves between hosts (HOST_IS_SLAVE, a new master): a pool trust file pins each
// host's fingerprint (parseTrustFile), checked against the host each connection goes to.
import type { TLSSocket } from 'node:tls';
import { Agent, buildConnector } from 'undici';
import type { Xapi } from 'xen-api';

/**
 * `AB:cd:01...`, `abcd01...` or `sha256:AB...` / `SHA256 Fingerprint=AB:...` (as openssl
 * prints it) -> `ABCD01...` (64 hex digits), or undefined when it is not a sha256 fingerprint.
 */
export function normaliseFingerprint(text: string): string | undefined {
  const hex = text
    .trim()
    .replace(/^sha-?256(\s+fingerprint)?[:=\s]*/i, '')
    .replace(/[\s:]/g, '')
    .toUpperCase();
  return /^[0-9A-F]{64}$/.test(hex) ? hex : undefined;
}

/** `ABCD...` -> `AB:CD:...` as browsers and `openssl x509 -fingerprint -sha256` print it. */
export function formatFingerprint(hex: string): string {
  return hex.match(/../g)?.join(':') ?? hex;
}

export interface CertificatePin {
  /** The pinned fingerprint, normalised (see normaliseFingerprint); undefined = none pinned. */
  fingerprint: string | undefined;
  /** Where the admin pins it, named in errors: `--xapi-fingerprint`, a setting name. */
  pinnedBy: string;
  /**
   * A whole pool's certificates (every host has its own): accepted for the host they are listed
   * for, or for any host when listed under `*`. The connection follows HOST_IS_SLAVE and master
   * changes to other hosts, whose certificates are checked against this list too.
   */
  trust?: PoolTrust;
}

/** Fingerprints (normalised) by host as the URL names it (address or DNS name, lower case); `*` = any host. */
export interface PoolTrust {
  byHost: ReadonlyMap<string, readonly string[]>;
  /** Named in errors: the trust file's path, e.g. `--xapi-trust-file /etc/vmbackup/pool.trust`. */
  source: string;
}

/** A line of a trust file that is not `<host> <sha256>`; line and column are 1-based. */
export class TrustFileError extends Error {
  override readonly name = 'TrustFileError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    detail: string,
  ) {
    super(`${file}:${line}:${column}: ${detail}`);
  }
}

/**
 * A pool trust file: one host per line, `<address or host name> <sha256 fingerprint>` (any
 * format normaliseFingerprint accepts), `*` for a certificate accepted on any host; blank
 * lines and `#` comments are ignored. A host may be listed more than once (certificate renewal).
 */
export function parseTrustFile(text: string, file: string): PoolTrust {
  const byHost = new Map<string, string[]>();
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    const content = line.replace(/#.*$/, '');
    if (content.trim() === '') return;
    const m = /^(\s*)(\S+)(\s+)(.*?)\s*$/.exec(content);
    if (!m) {
      const expected = 'expected "<host address or name> <sha256 fingerprint>"';
      throw new TrustFileError(file, index + 1, line.search(/\S/) + 1, expected);
    }
    const [, lead, host, gap, text2] = m as unknown as [string, string, string, string, string];
    const fingerprint = normaliseFingerprint(text2);
    if (!fingerprint) {
      const column = lead.length + host.length + gap.length + 1;
      const detail = `not a sha256 fingerprint (64 hex digits, e.g. AB:CD:...): ${text2}`;
      throw new TrustFileError(file, index + 1, column, detail);
    }
    const key = host.toLowerCase().replace(/^\[|\]$/g, '');
    byHost.set(key, [...(byHost.get(key) ?? []), fingerprint]);
  });
  return { byHost, source: file };
}

/** Fingerprints accepted for a connection to `host`: the single pin, the host's own, and `*`. */
export function acceptedFingerprints(pin: CertificatePin, host: string): string[] {
  const key = host.toLowerCase().replace(/^\[|\]$/g, '');
  return [
    ...(pin.fingerprint !== undefined ? [pin.fingerprint] : []),
    ...(pin.trust?.byHost.get(key) ?? []),
    ...(pin.trust?.byHost.get('*') ?? []),
  ];
}

/** The pool presented a certificate that is neither system-trusted nor the pinned one. */
export class CertificateNotTrustedError extends Error {
  override readonly name = 'CertificateNotTrustedError';
  constructor(
    /** Normalised sha256 of the certificate the pool presented. */
    readonly presentedFingerprint: string,
    /** Normalised pinned fingerprint, or undefined when none was pinned. */
    readonly expectedFingerprint: string | undefined,
    /** Node's verification error, e.g. DEPTH_ZERO_SELF_SIGNED_CERT. */
    readonly reason: string,
    pinnedBy: string,
    /** With a pool trust file: the host that presented it, and every fingerprint accepted there. */
    readonly pool?: { host: string; accepted: string[]; source: string },
  ) {
    const presented = formatFingerprint(presentedFingerprint);
    super(
      pool !== undefined
        ? pool.accepted.length > 0
          ? `the TLS certificate of pool host ${pool.host} is not in ${pool.source}: it accepts sha256 ` +
            `${pool.accepted.map(formatFingerprint).join(' or ')} there, the host presented sha256 ${presented}`
          : `pool host ${pool.host} is not in ${pool.source} (a pool's hosts each have their own certificate; ` +
            `XenAPI moves to the master on HOST_IS_SLAVE): add the line "${pool.host} ${presented}" if that ` +
            `is the fingerprint the host shows`
        : expectedFingerprint !== undefined
          ? `the pool's TLS certificate does not match ${pinnedBy}: ` +
            `expected sha256 ${formatFingerprint(expectedFingerprint)}, the pool presented sha256 ${presented}`
          : `the pool's TLS certificate is not trusted (${reason}). If it is the pool's own self-signed certificate, ` +
            `check its fingerprint on the host and pin it with ${pinnedBy}: ${presented}`,
    );
  }
}

/** The CertificateNotTrustedError behind an error (HTTP clients may wrap it as `cause`). */
export function certificateErrorIn(error: unknown): CertificateNotTrustedError | undefined {
  for (
    let e = error, depth = 0;
    e !== undefined && e !== null && depth < 5;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    if (e instanceof CertificateNotTrustedError) return e;
  }
  return undefined;
}

export interface PinnedDispatcherOptions {
  connectTimeoutMs: number;
  /** No byte for this long on a response: the request fails (big exports stream for hours). */
  inactivityTimeoutMs: number;
}

/**
 * An undici dispatcher whose TLS connector lets a handshake finish without chain validation,
 * then decides itself: system-trusted certificate, or exactly the pinned fingerprint.
 */
export function createPinnedDispatcher(pin: CertificatePin, options: PinnedDispatcherOptions): Agent {
  // No TLS session resumption: a resumed session carries no peer certificate to check.
  const base = buildConnector({
    rejectUnauthorized: false,
    minVersion: 'TLSv1.2',
    timeout: options.connectTimeoutMs,
    maxCachedSessions: 0,
  });
  const connect: buildConnector.connector = (connectOptions, callback) =>
    base(connectOptions, (error, socket) => {
      if (error || !socket) return callback(error ?? new Error('connection failed'), null);
      if (connectOptions.protocol !== 'https:') return callback(null, socket);
      const tls = socket as TLSSocket;
      if (tls.authorized) return callback(null, socket);
      const presented = normaliseFingerprint(tls.getPeerCertificate().fingerprint256 ?? '') ?? '';
      const host = String(connectOptions.hostname ?? '');
      const accepted = acceptedFingerprints(pin, host);
      if (accepted.includes(presented)) return callback(null, socket);
      socket.destroy();
      const reason = String(tls.authorizationError ?? 'unknown issuer');
      const pool = pin.trust ? { host: host.replace(/^\[|\]$/g, ''), accepted, source: pin.trust.source } : undefined;
      return callback(new CertificateNotTrustedError(presented, pin.fingerprint, reason, pin.pinnedBy, pool), null);
    });
  return new Agent({
    connect,
    bodyTimeout: options.inactivityTimeoutMs,
    headersTimeout: options.inactivityTimeoutMs,
    // As xen-api's own dispatcher.
    maxRedirections: 3,
  });
}

/** The private parts of xen-api@4.7.6's Xapi that hold and use its HTTP dispatcher. */
interface XapiTransportInternals {
  _undiciDispatcher: unknown;
  _url: unknown;
  _setUrl(url: unknown): void;
}

/**
 * Makes a freshly created (not yet connected) xen-api client check certificates with
 * `pin`. xen-api@4.7.6 only offers all-or-nothing `allowUnauthorized`, so we replace its
 * dispatcher (used by calls and by getResource downloads) and rebuild the call transport,
 * which captured the old one.
 */
export function pinCertificate(xapi: Xapi, pin: CertificatePin, options: PinnedDispatcherOptions): void {
  const internals = xapi as unknown as XapiTransportInternals;
  if (typeof internals._setUrl !== 'function' || !('_undiciDispatcher' in internals)) {
    throw new Error('this xen-api version does not allow certificate pinning (expected xen-api 4.7.6)');
  }
  internals._undiciDispatcher = createPinnedDispatcher(pin, options);
  internals._setUrl(internals._url);
}
