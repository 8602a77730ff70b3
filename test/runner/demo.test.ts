// `npm run demo` (scripts/demo.mjs): the simulator with the demo fixture, preview and backup
// of examples/demo.cfg with the bundled CLI, then the tree and the status log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ensureBundle, repoRoot, tempDir, tree } from './helpers';

test('the demo previews and backs up examples/demo.cfg', () => {
  ensureBundle();
  const out = tempDir('vmbackup-demo-');
  const result = spawnSync(process.execPath, [join(repoRoot, 'scripts', 'demo.mjs')], {
    cwd: repoRoot,
    env: { ...process.env, VMBACKUP_DEMO_OUT: out },
    encoding: 'utf8',
    timeout: 240_000,
  });
  assert.equal(result.status, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /SUCCESS preview of parameters \n/);
  assert.match(result.stdout, /\(preview exit code 0\)/);
  assert.match(result.stdout, /VmBackup ended - Success - S:7 W:0 E:0/);
  assert.match(result.stdout, /,vmbackup\.py,[^,]+,end,SUCCESS,S:7 W:0 E:0\n/);
  const files = tree(join(out, 'BACKUPS'));
  for (const expected of ['PROD-web01.xva', 'PROD-db01.raw', 'DEV mySql.xva']) {
    assert.ok(files.some((f) => f.endsWith(`/${expected}`)), `${expected} in ${files.join('\n')}`);
  }
  assert.equal(files.filter((f) => f.endsWith('/success')).length, 7);
});
