// The dependency check that CI runs (scripts/check-deps.mjs): the project is clean, and the
// check does catch an undeclared import, an unused dependency and an unused devDependency.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
// @ts-expect-error plain JavaScript module without type declarations
import { checkDependencies, packageOf } from '../../scripts/check-deps.mjs';

function write(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

test('this project: every import declared, every declared package used', () => {
  assert.deepEqual(checkDependencies(), []);
});

test('package names from specifiers: scopes, subpaths, builtins and relative paths', () => {
  assert.equal(packageOf('@scope/pkg/sub/file.js'), '@scope/pkg');
  assert.equal(packageOf('tar/lib/x'), 'tar');
  assert.equal(packageOf('node:fs'), undefined);
  assert.equal(packageOf('fs'), undefined);
  assert.equal(packageOf('../runner/src/index'), undefined);
});

test('a synthetic project with each kind of mistake gets one line per mistake', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'vmbackup-deps-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  write(
    root,
    'package.json',
    JSON.stringify({
      scripts: { build: 'node scripts/build.mjs' },
      devDependencies: { leftpad: '1', '@types/node': '1' },
    }),
  );
  write(root, 'scripts/build.mjs', "import { join } from 'node:path';\n");
  write(root, '.ci/run', 'npm test\n');
  write(root, 'runner/package.json', JSON.stringify({ dependencies: { tar: '1', unused: '1' } }));
  write(
    root,
    'runner/src/a.ts',
    "import { x } from 'tar';\nimport y from 'undeclared/sub';\n// import z from 'commented';\n" +
      "const q = { require(n: string) { return n; } };\nq.require('VM');\n",
  );
  write(root, 'server/package.json', JSON.stringify({ dependencies: {} }));
  write(root, 'server/src/s.ts', "export const s = await import('dyn');\n");
  write(root, 'client/package.json', JSON.stringify({ dependencies: {} }));
  write(root, 'client/src/c.ts', "import * as vscode from 'vscode';\n");
  write(root, 'test/t.test.ts', "import 'tar';\nimport 'undeclared-in-tests';\n");
  const problems: string[] = checkDependencies(root);
  assert.deepEqual(problems.sort(), [
    'package.json: "undeclared-in-tests" is imported by test/t.test.ts but declared nowhere',
    'package.json: devDependency "leftpad" is neither imported nor run as a command',
    'runner/package.json: "undeclared" is imported by runner/src/a.ts but not declared in dependencies',
    'runner/package.json: dependency "unused" is declared but imported nowhere in runner/src',
    'server/package.json: "dyn" is imported by server/src/s.ts but not declared in dependencies',
  ]);
});
