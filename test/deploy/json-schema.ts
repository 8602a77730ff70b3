// A small JSON-schema (draft-07) checker for the vendored Kubernetes schema
// (kubernetes-schema/cronjob-batch-v1.schema.json): exactly the keywords that file uses — type,
// properties, required, additionalProperties, items, enum, anyOf, $ref to #/definitions/NAME.
// Any other keyword is an error, so a schema it does not understand never passes silently.

export type Schema = {
  $schema?: string;
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  enum?: unknown[];
  anyOf?: Schema[];
  definitions?: Record<string, Schema>;
};

const KNOWN = new Set([
  '$schema',
  '$ref',
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'anyOf',
  'definitions',
]);

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function matchesType(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

/** Every place `value` breaks `schema`, as `/json/pointer: reason`; empty when it conforms. */
export function validate(schema: Schema, value: unknown): string[] {
  const root = schema;
  const errors: string[] = [];
  const check = (node: Schema, data: unknown, at: string, sink = errors): void => {
    for (const keyword of Object.keys(node)) {
      if (!KNOWN.has(keyword)) throw new Error(`schema keyword ${keyword} at ${at || '/'} is not supported`);
    }
    if (node.$ref !== undefined) {
      const name = /^#\/definitions\/(.+)$/.exec(node.$ref)?.[1];
      const target = name === undefined ? undefined : root.definitions?.[name];
      if (!target) throw new Error(`unresolved $ref ${node.$ref}`);
      check(target, data, at, sink);
    }
    if (node.type !== undefined) {
      const types = Array.isArray(node.type) ? node.type : [node.type];
      if (!types.some((type) => matchesType(data, type))) {
        sink.push(`${at || '/'}: expected ${types.join(' or ')}, got ${typeOf(data)}`);
        return;
      }
    }
    if (node.enum !== undefined && !node.enum.some((allowed) => allowed === data)) {
      sink.push(`${at || '/'}: ${JSON.stringify(data)} is not one of ${JSON.stringify(node.enum)}`);
    }
    if (node.anyOf !== undefined) {
      const fits = (option: Schema) => {
        const problems: string[] = [];
        check(option, data, at, problems);
        return problems.length === 0;
      };
      if (!node.anyOf.some(fits)) sink.push(`${at || '/'}: matches none of the allowed forms`);
    }
    if (typeOf(data) === 'object') {
      const record = data as Record<string, unknown>;
      for (const name of node.required ?? []) {
        if (!(name in record)) sink.push(`${at || '/'}: required property ${name} is missing`);
      }
      for (const [name, child] of Object.entries(record)) {
        const path = `${at}/${name}`;
        const declared = node.properties?.[name];
        if (declared) check(declared, child, path, sink);
        else if (node.additionalProperties === false) sink.push(`${path}: unknown property`);
        else if (typeof node.additionalProperties === 'object') check(node.additionalProperties, child, path, sink);
      }
    }
    const items = node.items;
    if (Array.isArray(data) && items) data.forEach((item, i) => check(items, item, `${at}/${i}`, sink));
  };
  check(root, value, '');
  return errors;
}
