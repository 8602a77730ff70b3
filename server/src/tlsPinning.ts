// TLS for the pool connection. XenServer / XCP-ng hosts usually present a self-signed
// certificate; we accept it only when its sha256 fingerprint equals the one the user pinned
// in `vmbackup.pool.certificateFingerprint`. A certificate the system trusts is always fine.
import type { TLSSocket } from 'node:tls';
import { Agent, buildConnector } from 'undici';

/** `AB:cd:01...` or `abcd01...` -> `ABCD01...` (64 hex digits), or undefined when malformed. */
export function normaliseFingerprint(text: string): string | undefined {
  const hex = text.replace(/^sha256[:=\s]*/i, '').replace(/[\s:]/g, '').toUpperCase();
  return /^[0-9A-F]{64}$/.test(hex) ? hex : undefined;
}

/** `ABCD...` -> `AB:CD:...` as browsers and `openssl x509 -fingerprint -sha256` print it. */
export function formatFingerprint(hex: string): string {
  return hex.match(/../g)?.join(':') ?? hex;
}

export class CertificateNotTrustedError extends Error {
  constructor(
    readonly presentedFingerprint: string,
    readonly reason: string,
    pinned: boolean,
  ) {
    super(
      pinned
        ? `The pool's TLS certificate (sha256 ${formatFingerprint(presentedFingerprint)}) does not match vmbackup.pool.certificateFingerprint.`
        : `The pool's TLS certificate is not trusted (${reason}). If it is the pool's own self-signed certificate, ` +
            `check its fingerprint on the host and pin it: vmbackup.pool.certificateFingerprint = ${formatFingerprint(presentedFingerprint)}`,
    );
    this.name = 'CertificateNotTrustedError';
  }
}

/**
 * An undici dispatcher whose TLS connector lets a handshake finish without chain validation,
 * then decides itself: system-trusted certificate, or exactly the pinned fingerprint.
 */
export function createPinnedDispatcher(pinnedFingerprint: string | undefined, timeoutMs: number): Agent {
  // No TLS session resumption: a resumed session carries no peer certificate to check.
  const base = buildConnector({ rejectUnauthorized: false, minVersion: 'TLSv1.2', timeout: timeoutMs, maxCachedSessions: 0 });
  const connect: buildConnector.connector = (options, callback) =>
    base(options, (error, socket) => {
      if (error || !socket) return callback(error ?? new Error('connection failed'), null);
      if (options.protocol !== 'https:') return callback(null, socket);
      const tls = socket as TLSSocket;
      if (tls.authorized) return callback(null, socket);
      const presented = normaliseFingerprint(tls.getPeerCertificate().fingerprint256 ?? '') ?? '';
      if (pinnedFingerprint !== undefined && presented === pinnedFingerprint) return callback(null, socket);
      socket.destroy();
      const reason = String(tls.authorizationError ?? 'unknown issuer');
      return callback(new CertificateNotTrustedError(presented, reason, pinnedFingerprint !== undefined), null);
    });
  return new Agent({ connect, bodyTimeout: 5 * 60_000, headersTimeout: 5 * 60_000 });
}
