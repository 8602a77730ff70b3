// The architecture's invariants that an import graph can check (ARCHITECTURE.md, "Invariants").
// Imports are read with TypeScript's pre-processor, type-only imports included: a type cycle
// still ties two modules together.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

const ROOT = resolve(import.meta.dirname, '../..');
const builtins = new Set(builtinModules);

interface ModuleImports {
  /** Project files it imports (repository-relative, .ts). */
  local: string[];
  /** Bare specifiers (packages and node builtins, with their subpath). */
  external: string[];
}

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) sources(path, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** The runner package's public entry points: `vmbackup-runner/<subpath>` -> source file. */
function runnerExports(): Map<string, string> {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'runner/package.json'), 'utf8')) as { exports?: Record<string, string> };
  const map = new Map<string, string>();
  for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
    map.set(join('vmbackup-runner', subpath), join('runner', target));
  }
  return map;
}

function resolveLocal(from: string, specifier: string): string | undefined {
  const base = join(dirname(from), specifier);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base]) {
    if (existsSync(join(ROOT, candidate)) && statSync(join(ROOT, candidate)).isFile()) return candidate;
  }
  return undefined;
}

const graph = new Map<string, ModuleImports>();
const exportsMap = runnerExports();
for (const file of ['runner/src', 'server/src', 'client/src'].flatMap((d) => sources(d))) {
  const info = ts.preProcessFile(readFileSync(join(ROOT, file), 'utf8'), true, false);
  const imports: ModuleImports = { local: [], external: [] };
  for (const { fileName } of info.importedFiles) {
    if (fileName.startsWith('.')) {
      const target = resolveLocal(file, fileName);
      assert.ok(target, `${file}: cannot resolve ${fileName}`);
      imports.local.push(target);
    } else if (exportsMap.has(fileName)) {
      imports.local.push(exportsMap.get(fileName)!);
      imports.external.push(fileName);
    } else {
      imports.external.push(fileName);
    }
  }
  graph.set(file, imports);
}

const packageName = (specifier: string) =>
  specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
const isNodeBuiltin = (specifier: string) => specifier.startsWith('node:') || builtins.has(packageName(specifier));

/** Pure layers: no file system, process, network or pool access, directly or through an import. */
const PURE_LAYERS = ['runner/src/config/', 'runner/src/pyre/', 'runner/src/select/', 'runner/src/pool/inventory.ts', 'server/src/service/'];
/** Packages a pure layer may use: protocol types and text documents, no I/O. */
const PURE_PACKAGES = new Set(['vscode-languageserver', 'vscode-languageserver-textdocument', 'vmbackup-runner']);
const isPure = (file: string) => PURE_LAYERS.some((layer) => file.startsWith(layer));

test('the import graph is read completely (sanity: the known entry points are there)', () => {
  for (const file of ['runner/src/cli.ts', 'server/src/server.ts', 'client/src/extension.ts', 'server/src/service/diagnostics.ts']) {
    assert.ok(graph.has(file), file);
  }
});

test('no import cycles between modules (type-only imports count)', () => {
  const cycles: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'visiting');
    stack.push(file);
    for (const next of graph.get(file)?.local ?? []) {
      if (state.get(next) === 'visiting') cycles.push([...stack.slice(stack.indexOf(next)), next].join(' -> '));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  assert.deepEqual(cycles, []);
});

test('the runner never imports the language server or the extension', () => {
  const offenders = [...graph]
    .filter(([file]) => file.startsWith('runner/'))
    .flatMap(([file, { local }]) => local.filter((t) => !t.startsWith('runner/')).map((t) => `${file} -> ${t}`));
  assert.deepEqual(offenders, []);
});

test('pure layers (config, pyre, select, inventory, server/src/service) do no I/O and import only pure modules', () => {
  const offenders: string[] = [];
  for (const [file, { local, external }] of graph) {
    if (!isPure(file)) continue;
    for (const specifier of external) {
      if (isNodeBuiltin(specifier) || !PURE_PACKAGES.has(packageName(specifier))) offenders.push(`${file} imports ${specifier}`);
    }
    for (const target of local) if (!isPure(target)) offenders.push(`${file} imports ${target}`);
  }
  assert.deepEqual(offenders, []);
});

test('the language server and the extension reach the runner only through its package entry points', () => {
  const offenders = [...graph]
    .filter(([file]) => !file.startsWith('runner/'))
    .flatMap(([file, { local, external }]) =>
      local
        .filter((t) => t.startsWith('runner/') && !external.some((s) => exportsMap.get(s) === t))
        .map((t) => `${file} -> ${relative(dirname(file), t)}`),
    );
  assert.deepEqual(offenders, []);
});

/** Imported names that start a shell or parse a command string, by module. */
const SHELL_APIS: Record<string, string[]> = {
  'node:child_process': ['exec', 'execSync'],
  child_process: ['exec', 'execSync'],
  execa: ['$', 'execaCommand', 'execaCommandSync'],
};

/** Each place in one file's text that starts a shell or parses a command string. */
function shellOffenders(file: string, text: string): string[] {
  const offenders: string[] = [];
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const where = (node: ts.Node) => `${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const banned = SHELL_APIS[node.moduleSpecifier.text] ?? [];
      const bindings = node.importClause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings)) {
        for (const element of bindings.elements) {
          const imported = (element.propertyName ?? element.name).text;
          if (banned.includes(imported)) offenders.push(`${where(element)}: imports ${imported} from ${node.moduleSpecifier.text}`);
        }
      }
    }
    if (ts.isPropertyAssignment(node) && ts.isIdentifier(node.name) && node.name.text === 'shell') {
      if (node.initializer.kind !== ts.SyntaxKind.FalseKeyword) offenders.push(`${where(node)}: shell option that is not false`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return offenders;
}

test('no shell is ever started by our code: no shell option, no exec(), no execaCommand or $`...`', () => {
  const offenders = [...graph.keys()].flatMap((file) => shellOffenders(file, readFileSync(join(ROOT, file), 'utf8')));
  assert.deepEqual(offenders, []);
});

test('the shell rule catches each form it forbids (a check that could never fail would prove nothing)', () => {
  const sample = [
    "import { exec } from 'node:child_process';",
    "import { $ as run, execa } from 'execa';",
    "spawn('x', [], { shell: true });",
    "spawn('x', [], { shell: false });",
  ].join('\n');
  assert.deepEqual(shellOffenders('sample.ts', sample), [
    'sample.ts:1: imports exec from node:child_process',
    'sample.ts:2: imports $ from execa',
    'sample.ts:3: shell option that is not false',
  ]);
});
