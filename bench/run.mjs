// Runs every benchmark under bench/ one after another and lets each print its own figures.
// Usage: npm run bench [-- name ...]   e.g. npm run bench -- parse select
// The activation benchmark needs the VS Code end-to-end tools (scripts/e2e-setup) and is
// only run when named.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const all = readdirSync(here)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();
const names = wanted.length > 0 ? wanted : all.filter((n) => n !== 'activation');
let failed = 0;
for (const name of names) {
  if (!all.includes(name)) {
    console.error(`no benchmark named ${name} (have: ${all.join(', ')})`);
    process.exit(2);
  }
  console.log(`\n=== bench/${name}.ts`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, `${name}.ts`)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
