// The CLI record definitions agree with the data model: every field a `<class>-param-set` may
// write has a XenAPI setter (or add_to/remove_from for maps), every record field named exists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldInfo, isSettable } from '../sim/datamodel';
import { CLI_CLASSES } from '../sim/cli/fields';
import { filterRecords, formatMinimal, formatRecord, keyOf } from '../sim/cli/printer';
import { SimState } from '../sim/state';

test('every settable CLI field maps to a XenAPI setter', () => {
  for (const [name, cli] of Object.entries(CLI_CLASSES)) {
    for (const f of cli.fields) {
      if (!f.api) continue;
      assert.ok(fieldInfo(cli.cls, f.api), `${name}.${f.name}: ${cli.cls} has field ${f.api}`);
      if (f.kind === 'map') assert.ok(fieldInfo(cli.cls, f.api)!.writable, `${name}.${f.name}: map is writable`);
      else assert.ok(isSettable(cli.cls, f.api), `${name}.${f.name}: ${cli.cls}.set_${f.api} exists`);
    }
    for (const d of cli.defaults)
      assert.ok(
        cli.fields.some((f) => f.name === d),
        `${name} default ${d} is a field`,
      );
  }
});

test('printer: suffixes, padding, two empty lines, minimal escaping', () => {
  const vm = CLI_CLASSES.vm.fields;
  const byName = (n: string) => vm.find((f) => f.name === n)!;
  assert.deepEqual(
    ['uuid', 'name-label', 'tags', 'other-config', 'snapshots', 'ha-always-run'].map((n) => keyOf(byName(n))),
    [
      'uuid ( RO)',
      'name-label ( RW)',
      'tags (SRW)',
      'other-config (MRW)',
      'snapshots (SRO)',
      'ha-always-run ( RW) [DEPRECATED]',
    ],
  );
  assert.equal(
    formatRecord([
      ['uuid ( RO)', 'u'],
      ['name-label ( RW)', 'n'],
    ]),
    'uuid ( RO)          : u\n    name-label ( RW): n\n\n\n',
  );
  assert.equal(formatMinimal(['a,b', 'c\\d', '']), 'a\\,b,c\\\\d,\n');
  assert.equal(formatMinimal([]), '\n');
  const state = new SimState('t');
  const a = state.create('VM', { name_label: 'a', tags: ['x', 'y'], other_config: { k: 'v' } });
  const b = state.create('VM', { name_label: 'b', tags: ['y'] });
  const names = (filters: [string, string][]) =>
    filterRecords(state, CLI_CLASSES.vm, state.entries('VM'), filters).map(([ref]) => ref);
  assert.deepEqual(names([['tags:contains', 'x']]), [a]);
  assert.deepEqual(names([['other-config:k', 'v']]), [a]);
  assert.deepEqual(names([['power-state', 'HALTED']]), [a, b]);
  assert.deepEqual(names([['name-label', 'b']]), [b]);
});
