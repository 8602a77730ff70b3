import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, copyFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

test('dist/vmbackup.js runs on its own, without node_modules', () => {
  // Copy the bundle out of the repository so no node_modules folder can be found above it.
  const dir = mkdtempSync(join(tmpdir(), 'vmbackup-bundle-'));
  copyFileSync(join(root, 'dist', 'vmbackup.js'), join(dir, 'vmbackup.js'));
  const out = execFileSync(process.execPath, [join(dir, 'vmbackup.js'), '--version'], { encoding: 'utf8' });
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  assert.equal(out.trim(), `vmbackup ${version}`);
});

test('dist/vmbackup.js starts with a shebang so cron can run it directly', () => {
  assert.match(readFileSync(join(root, 'dist', 'vmbackup.js'), 'utf8'), /^#!\/usr\/bin\/env node\n/);
});
