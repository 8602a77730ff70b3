// Diagnosing a config must scale linearly with its size (issue 11, item 9: a 100k-line config
// took 17 s). Not a speed test: it counts the array elements the whole pipeline visits
// (iteration, spread, filter, map, find, slice, ...) for n and 10n lines of each shape and
// requires about 10x the work, where a quadratic step would need about 100x.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig, resolveSettings, validateConfig } from '../../runner/src/config';
import { inventoryDiagnostics, planSelection, renderSettingsBlock } from '../../runner/src/select';
import { inventory } from '../select/helpers';
import { CONFIG_SHAPES } from './shapes';

const COUNTED = ['filter', 'map', 'some', 'every', 'find', 'findIndex', 'indexOf', 'lastIndexOf', 'includes', 'slice', 'concat', 'join', 'forEach', 'reduce', 'flatMap', 'reverse', 'splice'] as const;

/** Array elements visited while `fn` runs (each counted method adds the array's length). */
function arrayWork(fn: () => void): number {
  let work = 0;
  const proto = Array.prototype as unknown as Record<string | symbol, (...args: unknown[]) => unknown>;
  const saved = new Map<string | symbol, (...args: unknown[]) => unknown>();
  for (const name of [...COUNTED, Symbol.iterator]) {
    const original = proto[name]!;
    saved.set(name, original);
    proto[name] = function (this: unknown[], ...args: unknown[]) {
      work += this.length;
      return original.apply(this, args);
    };
  }
  try {
    fn();
  } finally {
    for (const [name, original] of saved) proto[name] = original;
  }
  return work;
}

function diagnose(text: string, pool: string[]): void {
  const config = parseConfig(text);
  validateConfig(config);
  validateConfig(config, { compatibility: 'original' });
  const inv = inventory(pool);
  const plan = planSelection(config, inv);
  inventoryDiagnostics(config, inv, plan);
  renderSettingsBlock(resolveSettings(config), plan);
}

for (const [name, make] of Object.entries(CONFIG_SHAPES)) {
  test(`linear work: ${name}`, () => {
    const small = make(300);
    const large = make(3000);
    // Lazy tables and first-use costs are not part of the comparison: warm up on another file
    // (not on `small`, whose answers caches would then hold for the small run only).
    diagnose('max_backups=4\nfoo=1\nvm-export=x.*\nexclude=y\nvm-export=z:3\n', ['x1', 'z']);
    const workSmall = arrayWork(() => diagnose(small.text, small.pool));
    const workLarge = arrayWork(() => diagnose(large.text, large.pool));
    assert.ok(workLarge <= 15 * workSmall, `${name}: ${workSmall} -> ${workLarge} elements visited (x${(workLarge / workSmall).toFixed(1)} for x10 lines)`);
  });
}
