// Deterministic identifiers: the same fixture always yields the same UUIDs and refs, and a fresh
// simulator creates the same sequence of new objects, so golden files and tests can name them.
export const NULL_REF = 'OpaqueRef:NULL';

/**
 * 128 bits from a string: four multiplicative hash lanes, cross-mixed at the end. Not
 * cryptographic — only stable and well spread; SimState.create rejects a duplicate uuid, so a
 * collision could never go unnoticed. (sha256 per object made loading 5,000 VMs slow.)
 */
function hash128(text: string): Buffer {
  let a = 0x811c9dc5;
  let b = 0x9e3779b9;
  let c = 0x85ebca6b;
  let d = 0xc2b2ae35;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    a = Math.imul(a ^ ch, 0x01000193);
    b = Math.imul(b ^ ch, 0x5bd1e995);
    c = Math.imul(c ^ ch, 0x27d4eb2d);
    d = Math.imul(d ^ ch, 0x165667b1);
  }
  for (let round = 0; round < 2; round++) {
    a = Math.imul(a ^ (d >>> 15), 0x85ebca6b) ^ b;
    b = Math.imul(b ^ (a >>> 13), 0xc2b2ae35) ^ c;
    c = Math.imul(c ^ (b >>> 16), 0x27d4eb2d) ^ d;
    d = Math.imul(d ^ (c >>> 15), 0x165667b1) ^ a;
  }
  const out = Buffer.alloc(16);
  out.writeInt32LE(a, 0);
  out.writeInt32LE(b, 4);
  out.writeInt32LE(c, 8);
  out.writeInt32LE(d, 12);
  return out;
}

function uuidFromDigest(b: Buffer): string {
  b[6] = (b[6] & 0x0f) | 0x40; // version 4 layout, as uuidgen prints
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** UUID derived from a stable key (fixture content), e.g. `vm:PROD-ubuntu14:0`. */
export function stableUuid(key: string): string {
  return uuidFromDigest(hash128(key));
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
