// Deterministic identifiers: the same fixture always yields the same UUIDs and refs, and a fresh
// simulator creates the same sequence of new objects, so golden files and tests can name them.
import { createHash } from 'node:crypto';

export const NULL_REF = 'OpaqueRef:NULL';

function uuidFromDigest(digest: Buffer): string {
  const b = Buffer.from(digest.subarray(0, 16));
  b[6] = (b[6] & 0x0f) | 0x40; // version 4 layout, as uuidgen prints
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** UUID derived from a stable key (fixture content), e.g. `vm:PROD-ubuntu14:0`. */
export function stableUuid(key: string): string {
  return uuidFromDigest(createHash('sha256').update(key).digest());
}

export class IdGenerator {
  private counter = 0;
  constructor(private readonly seed: string) {}

  /** A new UUID, the next of this simulator's deterministic sequence. */
  uuid(): string {
    this.counter += 1;
    return stableUuid(`${this.seed}#${this.counter}`);
  }

  ref(): string {
    return `OpaqueRef:${this.uuid()}`;
  }
}

export function isValidUuidText(text: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(text);
}
