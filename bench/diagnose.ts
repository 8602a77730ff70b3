// Benchmark: diagnosing big configs end to end (parse, validate in both modes, plan against a
// pool, pool diagnostics) at 10,000 and 100,000 lines, per shape of test/config/shapes.ts.
// Issue 11 measured 17 s for a 100k-line file; the work is linear (test/config/complexity).
// Run: node --import tsx bench/diagnose.ts
import { performance } from 'node:perf_hooks';
import { parseConfig, validateConfig } from '../runner/src/config';
import { inventoryDiagnostics, planSelection } from '../runner/src/select';
import { inventory } from '../test/select/helpers';
import { CONFIG_SHAPES } from '../test/config/shapes';

const SHAPES = ['mixed realistic file', 'one VM selected on every line', 'unknown keys', 'every VM selected by name', 'regex per line'];

function diagnoseMs(text: string, pool: string[]): number {
  const started = performance.now();
  const config = parseConfig(text);
  validateConfig(config);
  validateConfig(config, { compatibility: 'original' });
  const inv = inventory(pool);
  const plan = planSelection(config, inv);
  inventoryDiagnostics(config, inv, plan);
  return performance.now() - started;
}

diagnoseMs(CONFIG_SHAPES['mixed realistic file']!(1000).text, ['x']); // warm-up
for (const name of SHAPES) {
  const figures: string[] = [];
  for (const lines of [10_000, 100_000]) {
    const { text, pool } = CONFIG_SHAPES[name]!(lines);
    figures.push(`${lines.toLocaleString('en')} lines ${(diagnoseMs(text, pool) / 1000).toFixed(2)} s`);
  }
  console.log(`diagnose ${name.padEnd(32)} ${figures.join(', ')}`);
}
