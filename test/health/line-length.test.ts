// Lines of code stay within 120 columns (biome formats code to that width; long strings and
// comments are wrapped by hand). Fixtures, golden files and recorded outputs are data, not code.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const ROOT = resolve(import.meta.dirname, '../..');
const MAX = 120;
const CODE = /\.(?:ts|mts|mjs|js)$/;
const SKIP = new Set(['node_modules', '.tools', 'dist', 'fixtures', 'golden', '.comparison']);

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files(path, out);
    else if (CODE.test(name)) out.push(path);
  }
  return out;
}

test(`no line of code is longer than ${MAX} characters`, () => {
  const long: string[] = [];
  for (const dir of ['runner/src', 'server/src', 'client/src', 'client/manifest', 'test', 'bench', 'scripts']) {
    for (const file of files(join(ROOT, dir))) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if ([...line].length > MAX) long.push(`${relative(ROOT, file)}:${i + 1} (${[...line].length})`);
        });
    }
  }
  assert.deepEqual(long, []);
});
