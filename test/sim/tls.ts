// A throw-away self-signed certificate for the https option (127.0.0.1 only), made with the
// openssl command line, and its SHA-256 fingerprint as clients pin it.
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface Certificate {
  key: string;
  cert: string;
  /** SHA-256, uppercase hex pairs joined by colons. */
  fingerprint: string;
}

/** A certificate of its own for the endpoint at `address` (each host of a pool has one). */
export async function selfSignedCertificate(address = '127.0.0.1'): Promise<Certificate> {
  const dir = await mkdtemp(join(tmpdir(), 'xapi-sim-tls-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    await promisify(execFile)('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyFile, '-out', certFile, '-days', '30', '-subj', `/CN=${address}`,
      '-addext', `subjectAltName=IP:${address},DNS:localhost`,
    ]);
    const [key, cert] = await Promise.all([readFile(keyFile, 'utf8'), readFile(certFile, 'utf8')]);
    return { key, cert, fingerprint: new X509Certificate(cert).fingerprint256 };
  } catch (error) {
    throw new Error(`cannot create the simulator's TLS certificate with openssl: ${(error as Error).message}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
