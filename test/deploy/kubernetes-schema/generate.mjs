#!/usr/bin/env node
// Writes cronjob-batch-v1.schema.json: the JSON schema of a batch/v1 CronJob and of every definition
// it references, read from the TypeScript declarations that kubernetes-models generates from the
// Kubernetes OpenAPI spec (see SOURCE.md). Every property, its type, enum and required-ness is
// kept; a property the declarations do not list is refused (additionalProperties: false), as the
// API server's strict field validation refuses it. Descriptions are left out.
// Usage: node generate.mjs <unpacked kubernetes-models> <unpacked @kubernetes-models/apimachinery>
//        > cronjob-batch-v1.schema.json
import ts from 'typescript';
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

if (process.argv.length !== 4) {
  console.error('usage: node generate.mjs <kubernetes-models dir> <@kubernetes-models/apimachinery dir>');
  process.exit(2);
}
const roots = {
  'kubernetes-models': resolve(process.argv[2]),
  '@kubernetes-models/apimachinery': resolve(process.argv[3]),
};
const definitions = {};
function resolveModule(from, spec) {
  let path;
  for (const [name, root] of Object.entries(roots))
    if (spec.startsWith(name + '/')) path = join(root, spec.slice(name.length + 1));
  if (!path) path = resolve(dirname(from), spec);
  path = path.replace(/\.js$/, '');
  for (const candidate of [path + '.d.ts', join(path, 'index.d.ts')]) if (existsSync(candidate)) return candidate;
  throw new Error(`cannot resolve ${spec} from ${from}`);
}
const parsed = new Map();
function load(file) {
  if (!parsed.has(file))
    parsed.set(file, ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true));
  return parsed.get(file);
}
/** Find the declaration of `name` in `file` (following imports and export aliases). */
function declaration(file, name) {
  const sf = load(file);
  for (const st of sf.statements) {
    if ((ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) && st.name.text === name)
      return { file, node: st };
  }
  for (const st of sf.statements) {
    if (
      ts.isImportDeclaration(st) &&
      st.importClause?.namedBindings &&
      ts.isNamedImports(st.importClause.namedBindings)
    ) {
      for (const el of st.importClause.namedBindings.elements) {
        if (el.name.text === name)
          return declaration(resolveModule(file, st.moduleSpecifier.text), (el.propertyName ?? el.name).text);
      }
    }
    if (ts.isExportDeclaration(st) && st.exportClause && ts.isNamedExports(st.exportClause)) {
      for (const el of st.exportClause.elements) {
        if (el.name.text === name) {
          const target = st.moduleSpecifier ? resolveModule(file, st.moduleSpecifier.text) : file;
          return declaration(target, (el.propertyName ?? el.name).text);
        }
      }
    }
  }
  throw new Error(`no ${name} in ${file}`);
}
/** A definition's name: its declaration file (one interface each), e.g. kubernetes-models.batch.v1.CronJob. */
const idsByFile = new Map();
function defId(file, name) {
  for (const [pkg, root] of Object.entries(roots)) {
    if (!file.startsWith(root + '/')) continue;
    const id = `${pkg}/${file.slice(root.length + 1).replace(/\.d\.ts$/, '')}`.replace(/^@/, '').replaceAll('/', '.');
    if (idsByFile.has(file) && idsByFile.get(file) !== name) throw new Error(`two interfaces in ${file}`);
    idsByFile.set(file, name);
    return id;
  }
  throw new Error(`${file} is outside the packages`);
}
function schemaOf(file, type) {
  switch (type.kind) {
    case ts.SyntaxKind.StringKeyword:
      return { type: 'string' };
    case ts.SyntaxKind.NumberKeyword:
      return { type: 'number' };
    case ts.SyntaxKind.BooleanKeyword:
      return { type: 'boolean' };
    case ts.SyntaxKind.AnyKeyword:
    case ts.SyntaxKind.UnknownKeyword:
      return {};
  }
  if (ts.isParenthesizedTypeNode(type)) return schemaOf(file, type.type);
  if (ts.isLiteralTypeNode(type) && ts.isStringLiteral(type.literal))
    return { type: 'string', enum: [type.literal.text] };
  if (ts.isUnionTypeNode(type)) {
    if (type.types.every((t) => ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal)))
      return { type: 'string', enum: type.types.map((t) => t.literal.text) };
    const parts = type.types.map((t) => schemaOf(file, t));
    if (parts.every((p) => Object.keys(p).length === 1 && typeof p.type === 'string'))
      return { type: parts.map((p) => p.type) };
    return { anyOf: parts };
  }
  if (ts.isArrayTypeNode(type)) return { type: 'array', items: schemaOf(file, type.elementType) };
  if (ts.isTypeReferenceNode(type)) {
    const name = ts.isIdentifier(type.typeName) ? type.typeName.text : type.typeName.getText();
    if (name === 'Array') return { type: 'array', items: schemaOf(file, type.typeArguments[0]) };
    const found = declaration(file, name);
    if (ts.isTypeAliasDeclaration(found.node)) return schemaOf(found.file, found.node.type);
    const id = defId(found.file, found.node.name.text);
    if (!(id in definitions)) {
      definitions[id] = null;
      definitions[id] = interfaceSchema(found.file, found.node);
    }
    return { $ref: `#/definitions/${id}` };
  }
  if (ts.isTypeLiteralNode(type)) {
    const index = type.members.find(ts.isIndexSignatureDeclaration);
    if (index && type.members.length === 1) return { type: 'object', additionalProperties: schemaOf(file, index.type) };
    return objectSchema(file, type.members);
  }
  throw new Error(`unsupported type ${ts.SyntaxKind[type.kind]} ${type.getText()} in ${file}`);
}
function objectSchema(file, members) {
  // An interface without members (FieldsV1) stands for any JSON object.
  if (members.length === 0) return { type: 'object' };
  const properties = {};
  const required = [];
  for (const m of members) {
    if (!ts.isPropertySignature(m)) throw new Error(`member ${m.getText()} in ${file}`);
    const name = ts.isStringLiteral(m.name) ? m.name.text : m.name.getText();
    properties[name] = schemaOf(file, m.type);
    if (!m.questionToken) required.push(name);
  }
  return { type: 'object', properties, ...(required.length ? { required } : {}), additionalProperties: false };
}
function interfaceSchema(file, node) {
  const members = [...node.members];
  for (const clause of node.heritageClauses ?? [])
    for (const t of clause.types) {
      if (t.expression.getText() !== 'TypeMeta') throw new Error(`extends ${t.getText()} in ${file}`);
    }
  return objectSchema(file, members);
}
const root = schemaOf(
  join(roots['kubernetes-models'], 'batch/v1/CronJob.d.ts'),
  ts.factory.createTypeReferenceNode('ICronJob'),
);
const out = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  ...root,
  definitions: Object.fromEntries(Object.entries(definitions).sort(([a], [b]) => a.localeCompare(b))),
};
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
