// Seeded config generator for the fuzzer: real and odd keys, hostile regexes (catastrophic
// backtracking), huge lines, control characters, BOM, CRLF / CR line ends, and a pool whose
// VM names are hostile too. Deterministic per seed, so a failure names the seed to replay.
import { prng } from '../pyre/generator';

type Rand = () => number;
const pick = <T>(rand: Rand, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;

const KEYS = [
  'vm-export',
  'vm-export',
  'vm-export',
  'vdi-export',
  'metadata-export',
  'exclude',
  'exclude',
  'max_backups',
  'pool_db_backup',
  'backup_dir',
  'status_log',
  'vdi_export_format',
  'compress',
  'mail_to',
  'ignore_extra_keys',
  'VM-EXPORT',
  'Max_Backups',
  'max_backup',
  '',
  ' ',
  'é',
  'key\u0000',
  'x'.repeat(300),
];

/** Regexes that backtrack exponentially or polynomially on long names. */
export const HOSTILE_REGEXES = [
  '(a+)+$',
  '([A-Za-z0-9]+-?)+$',
  '(a|a)+$',
  '(a|aa)+$',
  '(.*)*x',
  '(\\w+\\s?)+$',
  '(?:a*)*b',
  '^(([a-z])+.)+[A-Z]([a-z])+$',
  '(a*)*$',
  '(?:a+|b)+c',
  'a*a*a*a*a*a*$',
  '(ab|a)+b?$',
];

const VALUES = [
  'web01',
  'PROD-.*',
  'DEV-RH.*:3',
  'a:3',
  'a:-1',
  'a:x',
  'a::',
  ':',
  '',
  ' ',
  '.*',
  '*',
  'PROD*',
  '[',
  '(',
  '\\',
  '(?P<n>a)(?P=n)',
  '(?(1)a|b)',
  '(?>a)',
  'a{2,1}',
  '\\N{DIGIT ONE}',
  '\\u00e9',
  '(?i)A',
  ' # comment',
  '/snapshots/BACKUPS',
  'relative/dir',
  '4',
  '0',
  '-3',
  '1e3',
  'True',
  'raw',
  'vhd',
  'zstd',
  'a@b.c',
  '\u0000',
  '\u001b[31mred',
  'a\u2028b',
  'a\u0085b',
  'a\u000bb',
  'a\u000cb',
  '\ud800',
  '😀.*',
  'é',
  'a='.repeat(3),
  ':'.repeat(50),
];

const LINE_ENDS = ['\n', '\n', '\n', '\r\n', '\r'];

function value(rand: Rand): string {
  const r = rand();
  if (r < 0.2) return pick(rand, HOSTILE_REGEXES);
  if (r < 0.23) return pick(rand, ['a', '(a+)+', '.']).repeat(1 + Math.floor(rand() * 20_000));
  if (r < 0.3) return `${pick(rand, VALUES)}${pick(rand, VALUES)}`;
  return pick(rand, VALUES);
}

function line(rand: Rand): string {
  const r = rand();
  if (r < 0.08) return pick(rand, ['# comment', '  # indented', '#vmbackup-disable-next-line VMB040', '', '   ', '\t']);
  if (r < 0.12) return pick(rand, ['no equals here', 'a=b=c', '==', '=', 'vm-export', '\ufeffvm-export=x']);
  const key = pick(rand, KEYS);
  const around = pick(rand, ['', '', '', ' ', '\t']);
  return `${around}${key}${around}=${around}${value(rand)}${pick(rand, ['', '', '', ' ', ' # trailing'])}`;
}

export interface FuzzCase {
  seed: number;
  text: string;
  pool: string[];
}

/** Names a pool may hold: hostile to shells and logs, and long enough to make regexes spin. */
export const FUZZ_POOL = [
  'web01',
  'PROD-web1',
  'DEV-RH7',
  'a'.repeat(40) + '!',
  'ab1-'.repeat(12) + 'ab1!!',
  'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab',
  'x'.repeat(300),
  '$(touch /tmp/x)',
  "it's",
  'a:b',
  'line\nbreak',
  'esc\u001b[2J',
  'tab\tname',
  'é',
  '😀',
  '',
];

export function generateCase(seed: number): FuzzCase {
  const rand = prng(seed);
  const count = Math.floor(rand() * 25);
  const lines = Array.from({ length: count }, () => line(rand));
  const text = (rand() < 0.1 ? '\ufeff' : '') + lines.join(pick(rand, LINE_ENDS)) + (rand() < 0.5 ? '\n' : '');
  const pool = FUZZ_POOL.filter(() => rand() < 0.7);
  return { seed, text, pool };
}

/** How many seeds each part runs: small in `npm test`, large under `npm run fuzz`. */
export function fuzzCount(bounded: number, long: number): number {
  return process.env.VMBACKUP_FUZZ === 'long' ? long : bounded;
}
