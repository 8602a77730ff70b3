#!/usr/bin/env node
// Fails when a package is imported but not declared, or declared but never used.
// Imports are read with TypeScript's own pre-processor (import/export-from/import()/require),
// so comments and strings that merely mention a package never count.
//
// Rules:
// - each workspace (runner, server, client) declares in `dependencies` exactly the packages its
//   src/ imports; `vscode` is the extension host's API, not a package;
// - the root's devDependencies cover what test/, bench/, scripts/ and client/manifest/ import
//   (packages a workspace declares may be imported by the tests of that workspace), and every
//   devDependency is imported there, run as a command (its `bin` named in a script or a test),
//   or is the `@types/` package of something used.
// Usage: node scripts/check-deps.mjs [--json]
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
let root = projectRoot;
const WORKSPACES = ['runner', 'server', 'client'];
const HOST_PROVIDED = new Set(['vscode']);
const SOURCE = /\.(?:ts|mts|cts|mjs|cjs|js)$/;
const SKIP_DIRS = new Set(['node_modules', '.tools', 'dist', 'out', 'fixtures', 'golden', '.comparison']);
const builtins = new Set(builtinModules);

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (SKIP_DIRS.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (SOURCE.test(name) || isExtensionlessScript(path)) out.push(path);
  }
  return out;
}

/** Files such as test/sim/bin/xe: executable JavaScript without an extension. */
function isExtensionlessScript(path) {
  if (/\.[A-Za-z0-9]+$/.test(path)) return false;
  const head = readFileSync(path, 'utf8').slice(0, 64);
  return head.startsWith('#!/usr/bin/env node');
}

/** The package a bare specifier names (`@scope/name/sub` -> `@scope/name`), or undefined. */
export function packageOf(specifier) {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  if (builtins.has(name)) return undefined;
  return name;
}

function importsOf(files) {
  const used = new Map(); // package -> first file importing it
  for (const file of files) {
    // require() is read only in JavaScript files: in TypeScript `x.require(...)` is a method call.
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, !file.endsWith('.ts'));
    for (const { fileName } of info.importedFiles) {
      const name = packageOf(fileName);
      if (name && !used.has(name)) used.set(name, relative(root, file));
    }
  }
  return used;
}

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Command names a package installs into node_modules/.bin. */
function binsOf(name) {
  const manifest = join(root, 'node_modules', name, 'package.json');
  if (!existsSync(manifest)) return [];
  const { bin } = readJson(manifest);
  if (!bin) return [];
  return typeof bin === 'string' ? [name.split('/').pop()] : Object.keys(bin);
}

/** Problems found in the project at rootDir (default: this checkout), one line each. */
export function checkDependencies(rootDir = projectRoot) {
  root = rootDir;
  const problems = [];
  const workspaceDeclared = new Set();
  for (const ws of WORKSPACES) {
    const declared = Object.keys(readJson(join(root, ws, 'package.json')).dependencies ?? {});
    declared.forEach((d) => workspaceDeclared.add(d));
    const used = importsOf(walk(join(root, ws, 'src')));
    for (const [name, file] of used) {
      if (!HOST_PROVIDED.has(name) && !declared.includes(name)) {
        problems.push(`${ws}/package.json: "${name}" is imported by ${file} but not declared in dependencies`);
      }
    }
    for (const name of declared) {
      if (!used.has(name)) problems.push(`${ws}/package.json: dependency "${name}" is declared but imported nowhere in ${ws}/src`);
    }
  }

  const rootManifest = readJson(join(root, 'package.json'));
  const devDeclared = Object.keys(rootManifest.devDependencies ?? {});
  const rootFiles = ['test', 'bench', 'scripts', 'client/manifest'].flatMap((d) => walk(join(root, d)));
  const rootUsed = importsOf(rootFiles);
  for (const [name, file] of rootUsed) {
    if (!HOST_PROVIDED.has(name) && !devDeclared.includes(name) && !workspaceDeclared.has(name)) {
      problems.push(`package.json: "${name}" is imported by ${file} but declared nowhere`);
    }
  }
  const commandText = [
    JSON.stringify(rootManifest.scripts ?? {}),
    ...['.ci/run', ...walk(join(root, 'scripts')), ...walk(join(root, 'test')), ...walk(join(root, 'bench'))]
      .filter((f) => existsSync(join(root, f)) || existsSync(f))
      .map((f) => readFileSync(existsSync(f) ? f : join(root, f), 'utf8')),
    ...readdirSync(join(root, 'scripts')).filter((f) => f.endsWith('.sh')).map((f) => readFileSync(join(root, 'scripts', f), 'utf8')),
  ].join('\n');
  const allUsed = new Set([...rootUsed.keys(), ...WORKSPACES.flatMap((ws) => [...importsOf(walk(join(root, ws, 'src'))).keys()])]);
  for (const name of devDeclared) {
    if (rootUsed.has(name)) continue;
    if (name.startsWith('@types/')) {
      const typed = name.slice('@types/'.length).replace(/^(.+)__(.+)$/, '@$1/$2');
      if (typed === 'node' || allUsed.has(typed)) continue;
      problems.push(`package.json: "${name}" types a package that nothing imports`);
      continue;
    }
    const bins = binsOf(name);
    if (bins.some((bin) => new RegExp(`(^|[\\s"'\`/])${bin.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([\\s"'\`]|$)`, 'm').test(commandText))) continue;
    problems.push(`package.json: devDependency "${name}" is neither imported nor run as a command`);
  }
  return problems;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const problems = checkDependencies();
  if (process.argv.includes('--json')) console.log(JSON.stringify(problems));
  else if (problems.length === 0) console.log('dependencies: every import declared, every declared package used');
  else for (const p of problems) console.error(p);
  process.exit(problems.length === 0 ? 0 : 1);
}
