// Deterministic generator of patterns and VM-like names for the differential test against
// CPython. Grammar-based patterns are mostly valid; mutated copies (a character inserted,
// deleted or replaced) exercise the error paths and positions.
import { CONSTRUCT_PATTERNS, SEED_README_PATTERNS } from './curated';

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(rand: Rand, items: readonly T[]): T => items[Math.floor(rand() * items.length)];
const chance = (rand: Rand, p: number) => rand() < p;

const NAME_CHARS = [
  'a',
  'b',
  'A',
  'B',
  'P',
  'R',
  'O',
  'D',
  'E',
  'V',
  '-',
  '_',
  '.',
  ' ',
  '0',
  '1',
  '9',
  'é',
  '😀',
  '\n',
];
const LITERALS = [
  'a',
  'b',
  'A',
  'B',
  'P',
  'R',
  'O',
  'D',
  'E',
  'V',
  '-',
  '_',
  ' ',
  '0',
  '1',
  '9',
  'é',
  '😀',
  ',',
  '}',
  ']',
  '#',
  '=',
  ':',
  '~',
  '&',
];
const ESCAPES = [
  '\\d',
  '\\w',
  '\\s',
  '\\D',
  '\\W',
  '\\S',
  '\\b',
  '\\B',
  '\\A',
  '\\Z',
  '\\.',
  '\\-',
  '\\ ',
  '\\n',
  '\\t',
  '\\x41',
  '\\x61',
  '\\u00e9',
  '\\U00000042',
  '\\101',
  '\\0',
  '\\\\',
  '\\(',
  '\\*',
  '\\1',
  '\\2',
  '\\q',
];
const CLASS_ATOMS = [
  'a',
  'b',
  'A',
  'Z',
  '0',
  '9',
  '-',
  '_',
  '.',
  ' ',
  'é',
  '^',
  '[',
  '\\d',
  '\\w',
  '\\s',
  '\\W',
  '\\S',
  '\\D',
  '\\]',
  '\\-',
  '\\n',
  '\\x41',
  '\\b',
];
const QUANTIFIERS = ['*', '+', '?', '*', '+', '?', '{2}', '{1,3}', '{,2}', '{2,}', '{0}', '{1,1}', '{', '{x}', '{3,1}'];
const GLOBAL_FLAGS = ['(?i)', '(?s)', '(?m)', '(?x)', '(?a)', '(?is)', '(?im)', '(?u)', '(?L)', '(?t)'];
const SCOPED = ['(?i:', '(?-i:', '(?s:', '(?m:', '(?x:', '(?a:', '(?i-s:', '(?ms:'];

function charClass(rand: Rand): string {
  let out = chance(rand, 0.25) ? '[^' : '[';
  const n = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < n; i++) {
    const atom = pick(rand, CLASS_ATOMS);
    out += chance(rand, 0.25) ? `${atom}-${pick(rand, CLASS_ATOMS)}` : atom;
  }
  return out + ']';
}

/** Group names used so far, so that (?P=name) and backreferences mostly refer to real groups. */
interface GenState {
  groups: number;
  names: string[];
  depth: number;
}

function atom(rand: Rand, st: GenState): string {
  const r = rand();
  if (r < 0.38) return pick(rand, LITERALS);
  if (r < 0.5) return '.';
  if (r < 0.62) return pick(rand, ESCAPES);
  if (r < 0.72) return charClass(rand);
  if (r < 0.76) return pick(rand, ['^', '$']);
  if (r < 0.8 && st.groups > 0) {
    return chance(rand, 0.5) || st.names.length === 0
      ? `\\${1 + Math.floor(rand() * st.groups)}`
      : `(?P=${pick(rand, st.names)})`;
  }
  if (st.depth > 2) return pick(rand, LITERALS);
  st.depth++;
  const inner = sequence(rand, st, 1 + Math.floor(rand() * 3));
  st.depth--;
  const kind = rand();
  if (kind < 0.3) {
    st.groups++;
    return `(${inner})`;
  }
  if (kind < 0.42) {
    const name = pick(rand, ['env', 'n', 'x', 'g2']);
    st.groups++;
    st.names.push(name);
    return `(?P<${name}>${inner})`;
  }
  if (kind < 0.55) return `(?:${inner})`;
  if (kind < 0.65) return `${pick(rand, SCOPED)}${inner})`;
  if (kind < 0.72) return `(?>${inner})`;
  if (kind < 0.8) return `${pick(rand, ['(?=', '(?!'])}${inner})`;
  if (kind < 0.88)
    return (
      `${pick(rand, ['(?<=', '(?<!'])}${pick(rand, LITERALS)}` +
      `${chance(rand, 0.3) ? '|' + pick(rand, LITERALS) : ''})`
    );
  if (kind < 0.92) return `(?#${pick(rand, LITERALS)})`;
  if (kind < 0.95 && st.groups > 0) return `(?(1)${inner}|${pick(rand, LITERALS)})`;
  return `(?:${inner}|${sequence(rand, st, 1 + Math.floor(rand() * 2))})`;
}

function sequence(rand: Rand, st: GenState, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    out += atom(rand, st);
    if (chance(rand, 0.3)) {
      out += pick(rand, QUANTIFIERS);
      if (chance(rand, 0.25)) out += pick(rand, ['?', '+']);
    }
  }
  return out;
}

function randomPattern(rand: Rand): string {
  const st: GenState = { groups: 0, names: [], depth: 0 };
  let out = chance(rand, 0.15) ? pick(rand, GLOBAL_FLAGS) : '';
  out += sequence(rand, st, 1 + Math.floor(rand() * 5));
  if (chance(rand, 0.15)) out += '|' + sequence(rand, st, 1 + Math.floor(rand() * 3));
  if (chance(rand, 0.03)) out += pick(rand, GLOBAL_FLAGS);
  return out;
}

function mutate(rand: Rand, pattern: string): string {
  const chars = Array.from(pattern);
  const at = Math.floor(rand() * (chars.length + 1));
  const noise = pick(rand, [
    '(',
    ')',
    '[',
    ']',
    '{',
    '}',
    '\\',
    '*',
    '+',
    '?',
    '|',
    '-',
    '^',
    'P',
    '<',
    '>',
    '=',
    '!',
    ':',
    '#',
    'q',
    '1',
  ]);
  const op = rand();
  if (op < 0.4) chars.splice(at, 0, noise);
  else if (op < 0.7) chars.splice(at, 1);
  else chars.splice(at, 1, noise);
  return chars.join('');
}

const REGEX_SPECIAL = /[.\\[\]{}()*+?^$|#]/u;

/** A regex derived from a VM name, so that it matches some names and narrowly misses others. */
function fromName(rand: Rand, name: string): string {
  let out = chance(rand, 0.1) ? pick(rand, ['(?i)', '(?x)', '(?s)', '(?m)']) : '';
  for (const ch of Array.from(name)) {
    const lit = REGEX_SPECIAL.test(ch)
      ? '\\' + ch
      : ch === ' ' && out.startsWith('(?x)')
        ? '\\ '
        : ch === '\n'
          ? '\\n'
          : ch;
    const r = rand();
    let piece = lit;
    if (r < 0.12) piece = '.';
    else if (r < 0.2) piece = /[0-9]/.test(ch) ? '\\d' : /\w/.test(ch) ? '\\w' : /\s/.test(ch) ? '\\s' : '\\W';
    else if (r < 0.27) piece = `[${lit}${pick(rand, ['a', 'Z', '0-9', 'a-z', '\\-', '^'])}]`;
    else if (r < 0.3) piece = `[^${pick(rand, ['a', 'b', 'P', '-', '\\d'])}]`;
    else if (r < 0.34) piece = `(${lit})`;
    else if (r < 0.37) piece = `(?:${lit}|${pick(rand, NAME_CHARS).replace(REGEX_SPECIAL, '\\$&')})`;
    else if (r < 0.4) piece = lit.toLowerCase() === lit ? lit.toUpperCase() : lit.toLowerCase();
    out += piece;
    if (chance(rand, 0.15)) out += pick(rand, ['*', '+', '?', '{1,2}', '*?', '+?', '??', '*+', '++', '{0,1}+']);
    if (chance(rand, 0.04)) out += pick(rand, ['\\b', '\\B', '(?=a)', '(?!b)', '(?<=a)', '(?<!-)', '(?#x)']);
  }
  return out + pick(rand, ['', '', '', '.*', '$', '\\Z', '.*$', '\\n?$', '\\1', '(?P=x)', '\\s*$']);
}

export function generatePatterns(seed: number, randomCount: number, names: readonly string[] = []): string[] {
  const rand = prng(seed);
  const out = new Set<string>([...SEED_README_PATTERNS, ...CONSTRUCT_PATTERNS]);
  const curated = [...out];
  for (let i = 0; out.size < curated.length + randomCount && i < randomCount * 10; i++) {
    const r = rand();
    if (r < 0.35 && names.length > 0) out.add(fromName(rand, pick(rand, names)));
    else if (r < 0.65) out.add(randomPattern(rand));
    else if (r < 0.85) out.add(mutate(rand, randomPattern(rand)));
    else out.add(mutate(rand, pick(rand, curated)));
  }
  return [...out];
}

/** VM-like names: realistic ones, hostile ones, and random strings over the patterns' alphabet. */
export function generateNames(seed: number, randomCount: number): string[] {
  const rand = prng(seed ^ 0x5eed);
  const out = new Set<string>([
    '',
    ' ',
    '\n',
    'a',
    'A',
    'ab',
    'aab',
    'b',
    '-',
    '_',
    '.',
    '0',
    'é',
    'PROD',
    'PROD\n',
    'PROD\r\n',
    'PRODUCTION',
    'PROD-web01',
    'prod-web01',
    'PROD.web01',
    'Prod web 01',
    'DEV-V1-TEMP',
    'DEV-V1-TEMP\n',
    'DEV-my-test',
    'DEV-web3',
    'DEV-RH7',
    'DEV-foo-TEST-1',
    'DEV-x-test',
    'DEV-Test',
    'TEMP-x',
    'WEB-1',
    'PRD-PRINT',
    'PRD-PRINT\n',
    'PRD-PRINTER1',
    'PRD-a',
    'PRD-aaa',
    'PRD-Test',
    'PRD-123',
    'PRD-print4',
    'PRD-print6',
    'PRD-x-print12',
    'PRD-print{1}',
    'PRD-print,',
    'SAVE',
    'my-SAVE',
    'my-SAVE\n',
    'PROD-ubuntu12.xs66',
    'PROD-ubuntu12Xxs66',
    'café',
    'Ünïcödé VM',
    '名前',
    '😀vm',
    'vm😀',
    'K',
    'k',
    '\u212a',
    'ſ',
    's',
    'İ',
    'x\u2028y',
    'tab\tname',
    '\x0b',
    '\x1c',
    '\u00a0',
    'a\nb',
    'a\rb',
    'trailing ',
    ' leading',
    'a b',
    'vm:3',
    'a=b',
    '$(reboot)',
    '`id`',
    "it's",
    '"q"',
    'back\\slash',
    'x{2}',
    'aaaa',
    'AAAA',
    'abab',
    'aa',
    'ba',
    'PP',
    'PRPR',
    'envenv',
    'PROD-PROD',
    'DEV-DEV',
    'xy',
    'xyyx',
    '{',
    '{,3}',
    'x{',
    '}',
    'é-ë',
    'ë',
    'ab\n',
    'a\n',
    '\n\n',
    'a\n\n',
  ]);
  while (out.size < 110 + randomCount) {
    const length = Math.floor(rand() * 9);
    let name = '';
    for (let i = 0; i < length; i++) name += pick(rand, NAME_CHARS);
    out.add(name);
  }
  return [...out];
}

/**
 * Dense corpus: patterns over a tiny alphabet (a, b, newline) that nest groups, alternations,
 * look-arounds, atomic groups, lazy/possessive quantifiers and backreferences, matched
 * against every string over that alphabet up to a few characters. This is where
 * backtracking-order differences between sre and JS show up.
 */
export function generateDensePatterns(seed: number, count: number): string[] {
  const rand = prng(seed ^ 0xd3175e);
  let groups = 0;
  const atomOf = (depth: number): string => {
    const r = rand();
    if (r < 0.3) return pick(rand, ['a', 'b', '\\n', '.', '[ab]', '[^a]', 'A', '(?i:a)', 'B']);
    if (r < 0.4) return pick(rand, ['^', '$', '\\b', '\\B', '\\A', '\\Z']);
    if (r < 0.5 && groups > 0) return '\\' + (1 + Math.floor(rand() * groups));
    if (depth > 3) return 'a';
    const inner = seq(depth + 1);
    const k = rand();
    if (k < 0.35) return `(${(groups++, inner)})`;
    if (k < 0.5) return `(?:${inner}|${seq(depth + 1)})`;
    if (k < 0.6) return `(${(groups++, inner)}|${seq(depth + 1)})`;
    if (k < 0.7) return `(?>${inner})`;
    if (k < 0.8) return `(?=${inner})`;
    if (k < 0.85) return `(?!${inner})`;
    if (k < 0.9) return `(?<=${pick(rand, ['a', 'b', '\\n', '.', 'ab', '(a)', 'a|b'])})`;
    if (k < 0.95) return `(?m:${inner})`;
    return `(?s:${inner})`;
  };
  const seq = (depth: number): string => {
    let out = '';
    const n = Math.floor(rand() * 3) + (depth === 0 ? 1 : 0);
    for (let i = 0; i < n; i++) {
      out += atomOf(depth);
      if (chance(rand, 0.35)) {
        out += pick(rand, ['*', '+', '?', '{2}', '{0,2}', '{1,}', '*?', '+?', '??', '*+', '++', '?+', '{1,2}?']);
      }
    }
    return out;
  };
  const out = new Set<string>();
  while (out.size < count) {
    groups = 0;
    const flags = chance(rand, 0.2) ? pick(rand, ['(?m)', '(?s)', '(?i)', '(?x)']) : '';
    out.add(flags + seq(0) + (chance(rand, 0.3) ? '$' : ''));
  }
  return [...out];
}

/** Every string over {a, b, newline} up to maxLength characters (including the empty one). */
export function denseNames(maxLength: number): string[] {
  const out = [''];
  let level = [''];
  for (let length = 1; length <= maxLength; length++) {
    level = level.flatMap((s) => [s + 'a', s + 'b', s + '\n']);
    out.push(...level);
  }
  return out;
}
