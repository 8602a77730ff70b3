// --xapi-trust-file: read on the machine the runner runs on (the XenAPI connection starts
// there, also with --ssh), parsed by pool/tls.ts so the language server can share the format.
import { readFile } from 'node:fs/promises';
import { parseTrustFile, type PoolTrust } from '../pool/tls';

export async function readPoolTrust(path: string): Promise<PoolTrust> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const trust = parseTrustFile(text, path);
  if (trust.byHost.size === 0) throw new Error(`${path}: no "<host> <sha256>" line: it would trust no host`);
  return trust;
}
