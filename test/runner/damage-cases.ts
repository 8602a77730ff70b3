// The damage matrix of the export-file check: every kind of damage the simulator's
// exportDamage fault writes (test/sim/http/damage.ts), the config lines that export it, the
// status-log record and the check's message. Shared by the xe transports' read-back check
// (verify.test.ts) and the xapi transport's in-flight check (agentless-verify.test.ts).
import type { ExportDamage } from '../sim/http/damage';

/** The pool both suites back up: one VM per export kind. */
export const DAMAGE_POOL_VMS = [
  { name: 'web01', disks: [{ size: '4MiB', used: 1 }] },
  { name: 'rawvm', disks: [{ size: '3MiB', used: 1 }] },
  { name: 'vhdvm', disks: [{ size: '5MiB', used: 1 }] },
];

export interface DamageCase {
  damage: ExportDamage;
  vm: string;
  lines: string[];
  record: string;
  detected: RegExp;
}

export const DAMAGE_CASES: DamageCase[] = [
  ...(
    [
      ['cut-at-member', /the archive ends after entry Ref:\d+\/00000000\.xxhash without its end-of-archive blocks/],
      ['cut-in-header', /the archive ends inside the header of entry #4 \(100 of 512 bytes/],
      ['cut-in-data', /the archive ends inside entry Ref:\d+\/00000000: 524288 of its 1048576 bytes/],
      ['no-end-blocks', /the archive ends after entry Ref:\d+\/00000003\.xxhash without its end-of-archive blocks/],
      ['bad-chunk-checksum', /chunk Ref:\d+\/00000000 is damaged: its checksum entry says/],
      ['missing-chunk', /disk Ref:\d+ is incomplete: the archive ends after 3145728 of its 4194304 bytes/],
    ] as const
  ).map(([damage, detected]) => ({
    damage,
    vm: 'web01',
    lines: ['vm-export=web01'],
    record: 'VM-EXPORT-FAIL',
    detected,
  })),
  {
    damage: 'cut-last-piece',
    vm: 'web01',
    lines: ['compress=true', 'vm-export=web01'],
    record: 'VM-EXPORT-FAIL',
    detected: /the gzip stream is damaged: unexpected end of file/,
  },
  {
    damage: 'cut-last-piece',
    vm: 'web01',
    lines: ['compress=zstd', 'vm-export=web01'],
    record: 'VM-EXPORT-FAIL',
    detected: /the zstd stream is damaged/,
  },
  {
    damage: 'cut-last-piece',
    vm: 'web01',
    lines: ['vm-export=web01'],
    record: 'VM-EXPORT-FAIL',
    detected: /only one of its two end-of-archive blocks/,
  },
  {
    damage: 'cut-last-piece',
    vm: 'rawvm',
    lines: ['vdi_export_format=raw', 'vdi-export=rawvm'],
    record: 'VDI-EXPORT-FAIL',
    detected: /the raw image is 2621440 bytes, expected the disk's virtual size 3145728/,
  },
  {
    damage: 'vhd-bad-footer',
    vm: 'vhdvm',
    lines: ['vdi_export_format=vhd', 'vdi-export=vhdvm'],
    record: 'VDI-EXPORT-FAIL',
    detected: /the vhd footer is damaged \(wrong checksum\)/,
  },
];
