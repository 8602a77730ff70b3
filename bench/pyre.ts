// Benchmark: compilePython for a 200-line config's regexes (cold = parse + translate +
// new RegExp, warm = cache hit), and matching them against a 5,000-VM inventory.
// Run: node --import tsx bench/pyre.ts
import { performance } from 'node:perf_hooks';
import { compilePython } from '../runner/src/pyre';

const SHAPES = ['PROD-.*', 'DEV-web[0-9]+$', '(?i)test-.*-old', 'APP-(a|b|c)\\d{2,3}', '.*-SAVE$', 'DB-\\w+(?<!-tmp)$'];

/** 200 distinct realistic patterns; `round` makes them unseen by the cache. */
function patterns(round: number): string[] {
  return Array.from({ length: 200 }, (_, i) => `${SHAPES[i % SHAPES.length]}(?#r${round}-${i})`);
}

function median(samples: number[]): number {
  return [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
}

const cold: number[] = [];
const warm: number[] = [];
for (let round = 0; round < 30; round++) {
  const list = patterns(round);
  let t = performance.now();
  for (const p of list) if (!compilePython(p).ok) throw new Error(`bench pattern failed: ${p}`);
  cold.push(performance.now() - t);
  t = performance.now();
  for (const p of list) compilePython(p);
  warm.push(performance.now() - t);
}

const names = Array.from(
  { length: 5000 },
  (_, i) => `${['PROD', 'DEV-web', 'APP-b', 'DB-x', 'test'][i % 5]}${i}${i % 7 ? '' : '-SAVE'}`,
);
const regexes = patterns(0).map((p) => {
  const r = compilePython(p);
  if (!r.ok) throw new Error(p);
  return r.regex;
});
const matchTimes: number[] = [];
let hits = 0;
for (let round = 0; round < 5; round++) {
  const t = performance.now();
  hits = 0;
  for (const re of regexes) for (const name of names) if (re.test(name)) hits++;
  matchTimes.push(performance.now() - t);
}

console.log(
  `pyre compile, 200 patterns: cold ${median(cold).toFixed(2)} ms (median of 30), warm/cached ` +
    `${median(warm).toFixed(3)} ms`,
);
console.log(
  `pyre match, 200 patterns x 5000 names = 1,000,000 tests: ${median(matchTimes).toFixed(1)} ms (${hits} matches)`,
);
