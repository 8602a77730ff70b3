// Arbitrary input never throws: random configs built from the syntax's sharp edges go through
// parse, validate (with regex checks), planning, inventory diagnostics and the preview block.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig, resolveSettings, validateConfig } from '../../runner/src/config';
import { inventoryDiagnostics, planSelection, renderSettingsBlock } from '../../runner/src/select';
import { inventory } from './helpers';

const KEYS = [
  'vm-export',
  'vdi-export',
  'metadata-export',
  'exclude',
  'max_backups',
  'pool_db_backup',
  'backup_dir',
  'compress',
  'Max_Backups',
  '',
  ' # x',
];
const VALUES = [
  '',
  'a',
  'a.*',
  '(?:a|b)',
  '[',
  'a:3',
  'a:-1',
  'a:x',
  ':',
  '::',
  'PROD*',
  'é.*',
  '\\',
  '(?P<n>a)(?P=n)',
  'a{2,1}',
  ' # c',
  'x=y',
  '.*$',
  '(?i)A',
  '(?>a)',
];
const POOL = ['a', 'aa', 'b', 'a:b', 'é', 'PROD-1', 'a', ''];

function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
}

test('500 random configs: no exception anywhere, plans are consistent', () => {
  const rand = rng(7);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const inv = inventory(POOL);
  for (let n = 0; n < 500; n++) {
    const lines: string[] = [];
    for (let i = 0; i < 12; i++)
      lines.push(rand() < 0.1 ? pick(['#c', '', '  ', 'junk', 'a=b=c']) : `${pick(KEYS)}=${pick(VALUES)}`);
    const text = lines.join(pick(['\n', '\r\n']));
    const config = parseConfig(text);
    const diags = validateConfig(config, { compatibility: rand() < 0.5 ? 'original' : 'extended' });
    const plan = planSelection(config, inv);
    inventoryDiagnostics(config, inv, plan);
    renderSettingsBlock(resolveSettings(config), plan);
    for (const d of diags) assert.ok(d.range.start.line < config.lines.length);
    // Invariants: no VM twice in a list, no vdi-export VM in vm-export, nothing excluded planned.
    for (const list of [plan.vdiExport, plan.vmExport, plan.metadataExport]) {
      assert.equal(new Set(list.map((v) => v.name)).size, list.length);
      for (const v of list) assert.ok(!plan.excluded.some((e) => e.name === v.name));
    }
    for (const v of plan.vmExport) assert.ok(!plan.vdiExport.some((d) => d.name === v.name));
  }
});
