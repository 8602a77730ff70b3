// Character sets as sorted, disjoint code-point intervals. Python `[...]`, `\d`, `.` etc. are
// turned into explicit intervals so the JS class means exactly the ASCII-mode Python set,
// whatever JS's own `\s`, `i` and `u` rules are.
import type { Category, SetItem } from './ast';

export type Interval = readonly [number, number];
export type CharSet = Interval[];

export const MAX_CODE_POINT = 0x10ffff;

export function normalize(intervals: Interval[]): CharSet {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out.at(-1);
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

export function complement(set: CharSet): CharSet {
  const out: Interval[] = [];
  let next = 0;
  for (const [lo, hi] of set) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CODE_POINT) out.push([next, MAX_CODE_POINT]);
  return out;
}

const DIGIT: CharSet = [[0x30, 0x39]];
const SPACE: CharSet = [
  [0x09, 0x0d],
  [0x20, 0x20],
];
const WORD: CharSet = [
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
];

/** The ASCII-mode (re.ASCII) meaning of `\d \D \s \S \w \W`. */
export function categorySet(category: Category): CharSet {
  switch (category) {
    case 'd':
      return DIGIT;
    case 'D':
      return complement(DIGIT);
    case 's':
      return SPACE;
    case 'S':
      return complement(SPACE);
    case 'w':
      return WORD;
    case 'W':
      return complement(WORD);
  }
}

/** Adds the other ASCII case of every ASCII letter (IGNORECASE under re.ASCII folds nothing else). */
export function withAsciiCase(set: CharSet): CharSet {
  const extra: Interval[] = [];
  for (const [lo, hi] of set) {
    for (const [from, to, shift] of [
      [0x41, 0x5a, 0x20],
      [0x61, 0x7a, -0x20],
    ] as const) {
      const a = Math.max(lo, from);
      const b = Math.min(hi, to);
      if (a <= b) extra.push([a + shift, b + shift]);
    }
  }
  return normalize([...set, ...extra]);
}

export function setItemsToCharSet(items: readonly SetItem[]): CharSet {
  const intervals: Interval[] = [];
  for (const item of items) {
    if (item.kind === 'char') intervals.push([item.code, item.code]);
    else if (item.kind === 'range') intervals.push([item.lo, item.hi]);
    else if (item.kind === 'category') intervals.push(...categorySet(item.category));
    else throw new Error(`unresolved \\N{${item.name}} reached the translator`);
  }
  return normalize(intervals);
}

/** One code point written so that it is literal in a JS `u`-mode pattern or class. */
export function jsChar(code: number, inClass: boolean): string {
  const ch = String.fromCodePoint(code);
  if (/[A-Za-z0-9_ ]/.test(ch)) return ch;
  if (/[\^$\\.*+?()[\]{}|/]/.test(ch) || (inClass && ch === '-')) return '\\' + ch;
  if (code > 0x20 && code < 0x7f) return ch;
  return `\\u{${code.toString(16)}}`;
}

export function jsClass(set: CharSet): string {
  if (set.length === 1 && set[0][0] === 0 && set[0][1] === MAX_CODE_POINT) return '[\\s\\S]';
  let out = '[';
  for (const [lo, hi] of set) {
    out += jsChar(lo, true);
    if (hi > lo) out += (hi > lo + 1 ? '-' : '') + jsChar(hi, true);
  }
  return out + ']';
}
