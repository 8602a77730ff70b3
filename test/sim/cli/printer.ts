// The CLI record printer (cli_printer.ml) and list filtering (records.ml / cli_operations.ml):
// keys carry ( RO)/( RW)/(SRO)/(SRW)/(MRO)/(MRW) suffixes, the first line is padded on the
// right and later lines on the left to 4 + the longest key, every record ends with two empty
// lines; --minimal prints only the first field of each record, comma-joined and escaped.
import type { SimState, XapiRecord } from '../state';
import type { CliClass, CliField } from './fields';

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

/** Records matching every `field=value` (and `map-field:key=value`) filter. */
export function filterRecords(
  state: SimState,
  cli: CliClass,
  records: [string, XapiRecord][],
  filters: [string, string][],
): [string, XapiRecord][] {
  const checks = filters.flatMap(([name, value]) => {
    const colon = name.indexOf(':');
    if (colon > 0) {
      const f = cli.fields.find((x) => x.name === name.slice(0, colon));
      const key = name.slice(colon + 1);
      // set-param:contains=x
      if (f?.kind === 'set' && key === 'contains') {
        return [(rec: XapiRecord, ref: string) => f.get(rec, ref, state).split('; ').includes(value)];
      }
      if (!f || f.kind !== 'map' || !f.api) return [];
      const apiField = f.api;
      return [(rec: XapiRecord) => String(((rec[apiField] ?? {}) as Record<string, unknown>)[key] ?? '\0none') === value];
    }
    const f = cli.fields.find((x) => x.name === name);
    if (!f) return [];
    const ci = CASE_INSENSITIVE.has(name);
    return [(rec: XapiRecord, ref: string) => {
      const actual = f.get(rec, ref, state);
      if (f.kind === 'set' && actual.split('; ').includes(value)) return true;
      return ci ? actual.toLowerCase() === value.toLowerCase() : actual === value;
    }];
  });
  return records.filter(([ref, rec]) => checks.every((c) => c(rec, ref)));
}

/** A whole listing: records (or the --minimal line) as the CLI prints them. */
export function formatListing(state: SimState, records: [string, XapiRecord][], fields: CliField[], minimal: boolean): string {
  if (minimal) return formatMinimal(records.map(([ref, rec]) => (fields[0] ? fields[0].get(rec, ref, state) : '')));
  return records.map(([ref, rec]) => formatRecord(fields.map((f) => [keyOf(f), f.get(rec, ref, state)]))).join('');
}
