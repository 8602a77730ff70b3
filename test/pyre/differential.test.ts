// Differential test: our Python-`re` engine against real CPython (python3, re.ASCII) on a
// deterministic corpus of patterns x VM names. One python3 run per test run (JSON batch).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { compilePython } from '../../runner/src/pyre/index';
import type { PyreErrorDetail } from '../../runner/src/pyre/index';
import { generateNames, generatePatterns } from './generator';
import { UNSUPPORTED_CATEGORIES, classifyUnsupported } from './exceptions';

interface OracleOk { ok: true; matches: string }
interface OracleError { ok: false; type: string; message: string; pos: number | null }
type OracleResult = OracleOk | OracleError;

// Deterministic by default; PYRE_SEED / PYRE_PATTERNS explore other corpora by hand.
const SEED = Number(process.env.PYRE_SEED ?? 20161126); // 20161126: VmBackup v3.1 (regex support) release
const names = generateNames(SEED, 60);
const patterns = generatePatterns(SEED, Number(process.env.PYRE_PATTERNS ?? 2800), names);

function runOracle(): { python: string; results: OracleResult[] } {
  const run = spawnSync('python3', [join(import.meta.dirname, 'oracle.py')], {
    input: JSON.stringify({ patterns, names }),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  assert.equal(run.status, 0, `python3 oracle failed: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

test('pyre agrees with CPython re.match (re.ASCII) on every pattern and name', () => {
  assert.ok(patterns.length >= 2000, `only ${patterns.length} patterns`);
  assert.ok(names.length >= 100, `only ${names.length} names`);
  const oracle = runOracle();
  assert.equal(oracle.results.length, patterns.length);
  const failures: string[] = [];
  const exceptions = new Map<string, number>();
  let comparisons = 0;
  let valid = 0;
  for (let i = 0; i < patterns.length; i++) {
    const pattern = patterns[i];
    const expected = oracle.results[i];
    const ours = compilePython(pattern);
    const label = JSON.stringify(pattern);
    if (!ours.ok && ours.error.unsupported) {
      // Deliberately rejected: must be a documented category, and CPython must not have
      // rejected it earlier than we did.
      const category = classifyUnsupported(pattern, ours.error.message);
      comparisons++;
      if (category === null) failures.push(`${label}: undocumented unsupported: ${ours.error.message}`);
      else exceptions.set(category, (exceptions.get(category) ?? 0) + 1);
      // \N{NAME} is never resolved (no Unicode name table): CPython's verdict on the name,
      // or on a range ending in it, is unknown to us, so any CPython error is tolerated there.
      if (!expected.ok && category !== 'named-escape') {
        failures.push(`${label}: we say unsupported, CPython says ${expected.message} at ${expected.pos}`);
      }
      continue;
    }
    if (expected.ok) {
      valid++;
      if (!ours.ok) {
        comparisons++;
        failures.push(`${label}: CPython accepts, we say ${ours.error.message} at ${ours.error.pos}`);
        continue;
      }
      for (let j = 0; j < names.length; j++) {
        comparisons++;
        const got = ours.regex.test(names[j]);
        if (got !== (expected.matches[j] === '1')) {
          failures.push(`${label} on ${JSON.stringify(names[j])}: CPython ${!got}, we ${got} (/${ours.regex.source}/u)`);
        }
      }
    } else {
      comparisons++;
      if (ours.ok) {
        failures.push(`${label}: CPython says ${expected.message} at ${expected.pos}, we accept`);
        continue;
      }
      const error = ours.error as PyreErrorDetail;
      const undefinedName = expected.message.startsWith('undefined character name') && pattern.includes('\\N{');
      if (undefinedName) {
        // A later syntax error of ours, where CPython first failed to resolve \N{...}.
        exceptions.set('named-escape', (exceptions.get('named-escape') ?? 0) + 1);
      } else if (error.message !== expected.message || error.pythonPos !== expected.pos) {
        failures.push(
          `${label}: CPython ${JSON.stringify(expected.message)} at ${expected.pos}, ` +
            `we ${JSON.stringify(error.message)} at ${error.pythonPos}`,
        );
      }
    }
  }
  const agreed = comparisons - failures.length;
  console.log(
    `pyre differential vs CPython ${oracle.python}: ${patterns.length} patterns (${valid} valid), ` +
      `${names.length} names, ${comparisons} comparisons, ${agreed} agree ` +
      `(${((100 * agreed) / comparisons).toFixed(3)}%)`,
  );
  console.log(
    `  documented exceptions (reported unsupported): ${[...exceptions].map(([k, v]) => `${k}=${v}`).join(', ') || 'none'}` +
      ` of ${UNSUPPORTED_CATEGORIES.length} categories`,
  );
  assert.deepEqual(failures.slice(0, 40), [], `${failures.length} disagreements`);
});
