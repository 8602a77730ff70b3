// Differential test: our Python-`re` engine against real CPython (python3, re.ASCII) on
// deterministic corpora of patterns x names. One python3 run per test run (JSON batches).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { compilePython } from '../../runner/src/pyre/index';
import type { PyreErrorDetail } from '../../runner/src/pyre/index';
import { denseNames, generateDensePatterns, generateNames, generatePatterns } from './generator';
import { UNSUPPORTED_CATEGORIES, classifyUnsupported } from './exceptions';

interface OracleOk {
  ok: true;
  matches: string;
}
interface OracleError {
  ok: false;
  type: string;
  message: string;
  pos: number | null;
}
type OracleResult = OracleOk | OracleError;
interface Batch {
  label: string;
  patterns: string[];
  names: string[];
}

// Deterministic by default; PYRE_SEED / PYRE_PATTERNS explore other corpora by hand.
const SEED = Number(process.env.PYRE_SEED ?? 20161126); // 20161126: VmBackup v3.1 (regex support) release
const PATTERN_COUNT = Number(process.env.PYRE_PATTERNS ?? 2800);
const vmNames = generateNames(SEED, 60);
const BATCHES: Batch[] = [
  // Seed README examples, curated constructs and errors, random and name-derived patterns.
  { label: 'vm', patterns: generatePatterns(SEED, PATTERN_COUNT, vmNames), names: vmNames },
  // Deeply nested backtracking constructs over {a, b, \n}, against every such string up to
  // length 4 (short names keep CPython's own exponential backtracking in check).
  { label: 'dense', patterns: generateDensePatterns(SEED, Math.ceil(PATTERN_COUNT / 2)), names: denseNames(4) },
];

/**
 * The engine mirrors CPython 3.11's `re` as of 3.11.7 (the project's reference Python).
 * Earlier 3.11 releases have possessive-quantifier bugs fixed later (Debian's 3.11.2 still
 * has them); 3.12 tightened conditional group names and 3.13 removed the (?t) flag.
 * PYRE_PYTHON may name the interpreter; otherwise the first suitable of python3, python3.11
 * and pyenv's 3.11 installs (CI shells may not have pyenv's shims on PATH).
 */
function findPython(): string {
  const seen: string[] = [];
  const pyenvRoot = process.env.PYENV_ROOT ?? join(homedir(), '.pyenv');
  const pyenv = existsSync(join(pyenvRoot, 'versions'))
    ? readdirSync(join(pyenvRoot, 'versions'))
        .filter((v) => v.startsWith('3.11.'))
        .map((v) => join(pyenvRoot, 'versions', v, 'bin', 'python3'))
    : [];
  for (const candidate of [process.env.PYRE_PYTHON, 'python3', 'python3.11', ...pyenv]) {
    if (!candidate) continue;
    const probe = spawnSync(candidate, ['-c', 'import sys; print(*sys.version_info[:3])'], { encoding: 'utf8' });
    if (probe.status !== 0) continue;
    const [major, minor, micro] = probe.stdout.trim().split(' ').map(Number);
    seen.push(`${candidate} = ${major}.${minor}.${micro}`);
    if (major === 3 && minor === 11 && micro >= 7) return candidate;
  }
  assert.fail(`the differential test needs CPython 3.11.7 or a later 3.11 (found: ${seen.join(', ') || 'none'})`);
}

function runOracle(): { python: string; batches: { results: OracleResult[] }[] } {
  const request = { batches: BATCHES.map(({ patterns, names }) => ({ patterns, names })) };
  const run = spawnSync(findPython(), [join(import.meta.dirname, 'oracle.py')], {
    input: JSON.stringify(request),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  assert.equal(run.status, 0, `python3 oracle failed: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

interface Tally {
  comparisons: number;
  valid: number;
  cpythonCrashes: number;
  failures: string[];
  exceptions: Map<string, number>;
}

function compareBatch(batch: Batch, results: OracleResult[], tally: Tally): void {
  const { patterns, names } = batch;
  assert.equal(results.length, patterns.length);
  const fail = (message: string) => tally.failures.push(`[${batch.label}] ${message}`);
  const except = (category: string) => tally.exceptions.set(category, (tally.exceptions.get(category) ?? 0) + 1);
  for (let i = 0; i < patterns.length; i++) {
    const pattern = patterns[i];
    const expected = results[i];
    const ours = compilePython(pattern);
    const label = JSON.stringify(pattern);
    tally.comparisons++;
    if (!ours.ok && ours.error.unsupported) {
      // Deliberately rejected: must be a documented category for a construct the pattern
      // contains, and (except for \N{...}, see below) CPython must accept the pattern.
      const category = classifyUnsupported(pattern, ours.error.message);
      if (category === null) fail(`${label}: undocumented unsupported: ${ours.error.message}`);
      else except(category);
      // \N{NAME} is never resolved (no Unicode name table): CPython's verdict on the name,
      // or on a range ending in it, is unknown to us, so any CPython error is tolerated there.
      if (!expected.ok && category !== 'named-escape') {
        fail(`${label}: we say unsupported, CPython says ${expected.message} at ${expected.pos}`);
      }
      continue;
    }
    if (!expected.ok) {
      if (ours.ok) {
        fail(`${label}: CPython says ${expected.message} at ${expected.pos}, we accept`);
        continue;
      }
      const error = ours.error as PyreErrorDetail;
      if (expected.type === 'RecursionError' && error.message === 'maximum recursion depth exceeded') {
        // CPython's exact wording and depth depend on its own stack depth at the call.
        except('recursion-limit');
      } else if (expected.message.startsWith('undefined character name') && pattern.includes('\\N{')) {
        except('named-escape'); // a later error of ours, where CPython first failed on \N{...}
      } else if (error.message !== expected.message || error.pythonPos !== expected.pos) {
        fail(
          `${label}: CPython ${JSON.stringify(expected.message)} at ${expected.pos}, ` +
            `we ${JSON.stringify(error.message)} at ${error.pythonPos}`,
        );
      }
      continue;
    }
    tally.valid++;
    if (!ours.ok) {
      fail(`${label}: CPython accepts, we say ${ours.error.message} at ${ours.error.pos}`);
      continue;
    }
    tally.comparisons--; // counted per name below
    for (let j = 0; j < names.length; j++) {
      if (expected.matches[j] === 'E') {
        tally.cpythonCrashes++; // CPython itself raised while matching (sre bug, see oracle.py)
        continue;
      }
      tally.comparisons++;
      const got = ours.regex.test(names[j]);
      if (got !== (expected.matches[j] === '1')) {
        fail(`${label} on ${JSON.stringify(names[j])}: CPython ${!got}, we ${got} (/${ours.regex.source}/u)`);
      }
    }
  }
}

test('pyre agrees with CPython re.match (re.ASCII) on every pattern and name', () => {
  const patternTotal = BATCHES.reduce((n, b) => n + b.patterns.length, 0);
  const nameTotal = new Set(BATCHES.flatMap((b) => b.names)).size;
  assert.ok(BATCHES[0].patterns.length >= 2000, `only ${BATCHES[0].patterns.length} VM patterns`);
  assert.ok(BATCHES[0].names.length >= 100, `only ${BATCHES[0].names.length} VM names`);
  const oracle = runOracle();
  const tally: Tally = { comparisons: 0, valid: 0, cpythonCrashes: 0, failures: [], exceptions: new Map() };
  BATCHES.forEach((batch, i) => compareBatch(batch, oracle.batches[i].results, tally));
  const agreed = tally.comparisons - tally.failures.length;
  console.log(
    `pyre differential vs CPython ${oracle.python}: ${patternTotal} patterns (${tally.valid} valid), ` +
      `${nameTotal} names, ${tally.comparisons} comparisons, ${agreed} agree ` +
      `(${((100 * agreed) / tally.comparisons).toFixed(3)}%)` +
      ` [${BATCHES.map((b) => `${b.label}: ${b.patterns.length} x ${b.names.length}`).join(', ')}]`,
  );
  console.log(
    `  documented exceptions: ` +
      `${[...tally.exceptions].map(([k, v]) => `${k}=${v}`).join(', ') || 'none'}` +
      ` (${UNSUPPORTED_CATEGORIES.length} categories); CPython raised while matching: ${tally.cpythonCrashes}`,
  );
  assert.deepEqual(tally.failures.slice(0, 40), [], `${tally.failures.length} disagreements`);
});
