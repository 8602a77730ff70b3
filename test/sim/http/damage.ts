// The exportDamage fault: the export "succeeds" (task success, xe exits 0) but the file is
// not what xapi writes — the ways a cut connection, a full pipe or a broken storage read
// have been seen to leave an export. XVA damages apply to /export (before compression),
// the VHD one to /export_raw_vdi?format=vhd; cut-last-piece applies to every download
// (body.ts): the last piece sent is cut in half, after compression when there is one.
import { TAR_END } from './tar';

export const EXPORT_DAMAGES = [
  'cut-at-member',
  'cut-in-header',
  'cut-in-data',
  'no-end-blocks',
  'bad-chunk-checksum',
  'missing-chunk',
  'cut-last-piece',
  'vhd-bad-footer',
] as const;

export type ExportDamage = (typeof EXPORT_DAMAGES)[number];

interface Member {
  offset: number;
  dataOffset: number;
  size: number;
  name: string;
}

function membersOf(tar: Buffer): Member[] {
  const members: Member[] = [];
  for (let at = 0; at + 512 <= tar.length && !tar.subarray(at, at + 512).every((b) => b === 0);) {
    const name = tar
      .subarray(at, at + 100)
      .toString('utf8')
      .replace(/\0.*$/s, '');
    const size = parseInt(
      tar
        .subarray(at + 124, at + 136)
        .toString('ascii')
        .replace(/\0.*$/s, ''),
      8,
    );
    members.push({ offset: at, dataOffset: at + 512, size, name });
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return members;
}

/** The XVA stream (uncompressed) with the damage applied; unchanged for other damages. */
export function* damageXva(source: Iterable<Buffer>, damage: ExportDamage | null): Generator<Buffer> {
  const structural: (string | null)[] = [
    'cut-at-member',
    'cut-in-header',
    'cut-in-data',
    'no-end-blocks',
    'bad-chunk-checksum',
    'missing-chunk',
  ];
  if (!structural.includes(damage)) return yield* source;
  const tar = Buffer.concat([...source]);
  const members = membersOf(tar);
  // members: ova.xml, chunk 0 of the first disk, its .xxhash, the next chunk or disk, ...
  switch (damage) {
    case 'cut-at-member':
      return yield tar.subarray(0, members[3]!.offset);
    case 'cut-in-header':
      return yield tar.subarray(0, members[3]!.offset + 100);
    case 'cut-in-data':
      return yield tar.subarray(0, members[1]!.dataOffset + Math.floor(members[1]!.size / 2));
    case 'no-end-blocks':
      return yield tar.subarray(0, tar.length - TAR_END.length);
    case 'bad-chunk-checksum': {
      const sum = members.find((m) => m.name.endsWith('.xxhash'))!;
      const copy = Buffer.from(tar);
      copy[sum.dataOffset] = copy[sum.dataOffset] === 0x30 ? 0x31 : 0x30; // another hex digit
      return yield copy;
    }
    case 'missing-chunk': {
      const lastChunk = members[members.length - 2]!;
      return yield Buffer.concat([tar.subarray(0, lastChunk.offset), TAR_END]);
    }
  }
}

/** The VHD stream with its final footer damaged (a byte of the unique id: the checksum no longer matches). */
export function* damageVhd(source: Iterable<Buffer>, damage: ExportDamage | null): Generator<Buffer> {
  if (damage !== 'vhd-bad-footer') return yield* source;
  let last: Buffer | undefined;
  for (const piece of source) {
    if (last) yield last;
    last = piece;
  }
  const footer = Buffer.from(last!);
  footer[footer.length - 512 + 70] ^= 0xff;
  yield footer;
}
