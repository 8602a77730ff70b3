// <class>-list, <class>-param-list, <class>-param-get and <class>-param-set.
import { failure } from '../errors';
import type { XapiRecord } from '../state';
import { filtersOf, get, required, type CliContext } from './context';
import { CommandFailure } from './errors';
import { CLI_CLASSES, type CliClass } from './fields';
import { filterRecords, formatListing, formatRecord, keyOf, selectFields } from './printer';

function recordsOf(c: CliContext, name: string): [string, XapiRecord][] {
  const all = c.state.entries(CLI_CLASSES[name].cls);
  // The class-specific default filters of vm-list, template-list and snapshot-list.
  if (name === 'vm') return all.filter(([, r]) => !r.is_a_template);
  if (name === 'template') return all.filter(([, r]) => r.is_a_template && !r.is_a_snapshot);
  if (name === 'snapshot') return all.filter(([, r]) => r.is_a_snapshot);
  return all;
}

export function listCommand(name: string) {
  return async (c: CliContext): Promise<number> => {
    const cli = CLI_CLASSES[name];
    const filters = filtersOf(c, []);
    // vm-list always filters is-a-template=false unless asked otherwise.
    let records =
      name === 'vm' && filters.some(([k]) => k === 'is-a-template') ? c.state.entries('VM') : recordsOf(c, name);
    records = filterRecords(c.state, cli, records, filters);
    c.out(formatListing(c.state, records, selectFields(cli, get(c, 'params')), c.minimal));
    return 0;
  };
}

function oneByUuid(c: CliContext, cli: CliClass): [string, XapiRecord] {
  const uuid = required(c, 'uuid');
  const ref = c.state.refByUuid(cli.cls, uuid);
  return [ref, c.state.get(cli.cls, ref)!];
}

export function paramListCommand(name: string) {
  return async (c: CliContext): Promise<number> => {
    const cli = CLI_CLASSES[name];
    const [ref, rec] = oneByUuid(c, cli);
    const fields = cli.fields.filter((f) => !f.hidden);
    c.out(
      c.minimal
        ? `${fields[0].get(rec, ref, c.state)}\n`
        : formatRecord(fields.map((f) => [keyOf(f), f.get(rec, ref, c.state)])),
    );
    return 0;
  };
}

export function paramGetCommand(name: string) {
  return async (c: CliContext): Promise<number> => {
    const cli = CLI_CLASSES[name];
    const [ref, rec] = oneByUuid(c, cli);
    const param = required(c, 'param-name');
    const f = cli.fields.find((x) => x.name === param);
    if (!f) throw new CommandFailure(`Unknown field '${param}'`);
    const key = get(c, 'param-key');
    if (key !== undefined) {
      if (f.kind !== 'map' || !f.api) throw new CommandFailure(`Field '${param}' is not a map`);
      const map = rec[f.api] as Record<string, unknown>;
      if (!(key in map)) throw new CommandFailure(`Key ${key} not found in map`);
      c.out(`${String(map[key])}\n`);
    } else {
      c.out(`${f.get(rec, ref, c.state)}\n`);
    }
    return 0;
  };
}

function coerceCli(value: string, current: unknown): unknown {
  if (typeof current === 'boolean') {
    const v = value.toLowerCase();
    if (['true', 'yes', 'on', '1'].includes(v)) return true;
    if (['false', 'no', 'off', '0'].includes(v)) return false;
    throw new CommandFailure(`Failed to parse parameter '${value}': expecting 'true' or 'false'`);
  }
  if (typeof current === 'number') {
    const n = Number(value);
    if (!Number.isFinite(n)) throw new CommandFailure(`Failed to parse parameter '${value}': expecting an integer`);
    return n;
  }
  return value;
}

export function paramSetCommand(name: string) {
  return async (c: CliContext): Promise<number> => {
    const cli = CLI_CLASSES[name];
    const [ref, rec] = oneByUuid(c, cli);
    for (const [k, v] of c.params) {
      if (k === 'uuid' || k === 'params' || k === 'minimal') continue;
      const colon = k.indexOf(':');
      const fieldName = colon > 0 ? k.slice(0, colon) : k;
      const f = cli.fields.find((x) => x.name === fieldName);
      if (!f) throw new CommandFailure(`Unknown field '${fieldName}'`);
      if (!f.api) throw new CommandFailure(`Field '${fieldName}' is read-only.`);
      if (colon > 0) {
        if (f.kind !== 'map') throw new CommandFailure(`Field '${fieldName}' is not a map`);
        await c.call(`${cli.cls}.remove_from_${f.api}`, ref, k.slice(colon + 1));
        await c.call(`${cli.cls}.add_to_${f.api}`, ref, k.slice(colon + 1), v);
      } else if (f.kind === 'set') {
        await c.call(`${cli.cls}.set_${f.api}`, ref, v === '' ? [] : v.split(',').map((s) => s.trim()));
      } else if (f.kind === 'map') {
        throw new CommandFailure(`Field '${fieldName}' is a map: use ${fieldName}:<key>=<value>`);
      } else {
        await c.call(`${cli.cls}.set_${f.api}`, ref, coerceCli(v, rec[f.api]));
      }
    }
    return 0;
  };
}

/** For commands given a uuid that must exist (UUID_INVALID like XAPI's get_by_uuid). */
export function requireUuid(c: CliContext, cls: string, name = 'uuid'): string {
  const uuid = required(c, name);
  const ref = c.state.findByUuid(cls, uuid);
  if (!ref) throw failure('UUID_INVALID', cls, uuid);
  return ref;
}
