// The CLI record printer (cli_printer.ml) and list filtering (records.ml / cli_operations.ml):
// keys carry ( RO)/( RW)/(SRO)/(SRW)/(MRO)/(MRW) suffixes, the first line is padded on the
// right and later lines on the left to 4 + the longest key, every record ends with two empty
// lines; --minimal prints only the first field of each record, comma-joined and escaped.
import type { SimState, XapiRecord } from '../state';
import type { CliClass, CliField } from './fields';
import { CommandFailure } from './errors';

export function keyOf(f: CliField): string {
  let suffix: string;
  if (f.kind === 'set') suffix = f.extendable ? ' (SRW)' : ' (SRO)';
  else if (f.kind === 'map') suffix = f.extendable ? ' (MRW)' : ' (MRO)';
  else suffix = f.api ? ' ( RW)' : ' ( RO)';
  return `${f.name}${suffix}${f.deprecated ? ' [DEPRECATED]' : ''}`;
}

/** One record as the CLI prints it, including the trailing empty lines. */
export function formatRecord(pairs: [string, string][]): string {
  if (pairs.length === 0) return '\n\n';
  const width = 4 + Math.max(...pairs.map(([k]) => k.length));
  const lines = pairs.map(([k, v], i) => `${i === 0 ? k.padEnd(width) : k.padStart(width)}: ${v}`);
  return `${lines.join('\n')}\n\n\n`;
}

/** `--minimal`: values joined by commas, with `\` and `,` escaped. */
export function formatMinimal(values: string[]): string {
  return `${values.map((v) => v.replace(/\\/g, '\\\\').replace(/,/g, '\\,')).join(',')}\n`;
}

/** Fields printed for `params=` (record order, never params= order). */
export function selectFields(cli: CliClass, params: string | undefined): CliField[] {
  if (params === undefined) return cli.fields.filter((f) => cli.defaults.includes(f.name));
  if (params === 'all') return cli.fields.filter((f) => !f.hidden);
  const wanted = new Set(params.split(',').map((p) => p.trim()));
  return cli.fields.filter((f) => wanted.has(f.name));
}

const CASE_INSENSITIVE = new Set(['power-state']);

type Check = (rec: XapiRecord, ref: string) => boolean;

/**
 * cli_operations.ml get_field_type: a field of the class; `map:key` / `set:contains`; or the
 * old `map-name-key` form (longest map field, then set field, whose name + "-" prefixes it);
 * anything else is `Unknown field '<name>'`.
 */
function checkOf(state: SimState, cli: CliClass, name: string, value: string): Check {
  const exact = cli.fields.find((x) => x.name === name);
  if (exact) {
    const ci = CASE_INSENSITIVE.has(name);
    return (rec, ref) => {
      const actual = exact.get(rec, ref, state);
      if (exact.kind === 'set' && actual.split('; ').includes(value)) return true;
      return ci ? actual.toLowerCase() === value.toLowerCase() : actual === value;
    };
  }
  const colon = name.indexOf(':');
  let field: CliField | undefined;
  let key: string;
  if (colon > 0) {
    field = cli.fields.find((x) => x.name === name.slice(0, colon));
    if (!field) throw new CommandFailure(`Unknown field '${name}'`);
    if (field.kind !== 'set' && field.kind !== 'map') throw new CommandFailure(`Field '${field.name}' is not a set or map`);
    key = name.slice(colon + 1);
  } else {
    const byLength = (kind: string) =>
      cli.fields.filter((x) => x.kind === kind && name.startsWith(`${x.name}-`)).sort((a, b) => b.name.length - a.name.length)[0];
    field = byLength('map') ?? byLength('set');
    if (!field) throw new CommandFailure(`Unknown field '${name}'`);
    key = name.slice(field.name.length + 1);
  }
  const f = field;
  if (f.kind === 'set') {
    if (key !== 'contains') throw new CommandFailure('Invalid syntax for set filtering (should be set-param:contains=key)');
    return (rec, ref) => f.get(rec, ref, state).split('; ').includes(value);
  }
  const apiField = f.api;
  return (rec) => apiField !== undefined && String(((rec[apiField] ?? {}) as Record<string, unknown>)[key] ?? '\0none') === value;
}

/**
 * Records matching every filter, applied one after another as cli_operations.ml
 * filter_records_on_fields does: once nothing is left, later filters are not even looked at.
 */
export function filterRecords(
  state: SimState,
  cli: CliClass,
  records: [string, XapiRecord][],
  filters: [string, string][],
): [string, XapiRecord][] {
  let left = records;
  for (const [name, value] of filters) {
    if (left.length === 0) break;
    const check = checkOf(state, cli, name, value);
    left = left.filter(([ref, rec]) => check(rec, ref));
  }
  return left;
}

/** A whole listing: records (or the --minimal line) as the CLI prints them. */
export function formatListing(state: SimState, records: [string, XapiRecord][], fields: CliField[], minimal: boolean): string {
  if (minimal) return formatMinimal(records.map(([ref, rec]) => (fields[0] ? fields[0].get(rec, ref, state) : '')));
  return records.map(([ref, rec]) => formatRecord(fields.map((f) => [keyOf(f), f.get(rec, ref, state)]))).join('');
}
