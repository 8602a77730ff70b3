// Every rule and quirk of vmbackup-behaviour.md §3 as a table case:
// inventory + config -> the three lists (original's entries, in order), the exclude list and
// the original's messages (L<line>: text, 1-based).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { messages, plan, type VmSpec } from './helpers';

interface Case {
  name: string;
  pool: VmSpec[];
  config: string;
  vdi?: string[];
  vm?: string[];
  meta?: string[];
  exclude?: string[];
  messages?: string[];
}

const NO_VMS = 'ERROR no VMs loaded';

const cases: Case[] = [
  {
    name: '`all` is xe vm-list: no templates, snapshots or dom0, in inventory order',
    pool: [
      'b',
      { name: 'tmpl', isTemplate: true },
      'a',
      { name: 'snap', isSnapshot: true },
      { name: 'Control domain on host: h1', isControlDomain: true },
      'c',
    ],
    config: 'vm-export=.*',
    vm: ['b', 'a', 'c'],
  },
  { name: 'plain name matches by equality only', pool: ['PROD', 'PRODUCTION'], config: 'vm-export=PROD', vm: ['PROD'] },
  {
    name: 'regex is anchored at the start only (prefix match)',
    pool: ['PROD', 'PRODUCTION', 'XPROD'],
    config: 'vm-export=PRO[D]',
    vm: ['PROD', 'PRODUCTION'],
  },
  {
    name: 'a dot makes it a regex matching any character',
    pool: ['PROD-ubuntu12-xs66', 'PROD-ubuntu12.xs66', 'PROD-ubuntu12.xs667'],
    config: 'vm-export=PROD-ubuntu12.xs66',
    vm: ['PROD-ubuntu12-xs66', 'PROD-ubuntu12.xs66', 'PROD-ubuntu12.xs667'],
  },
  {
    name: 'plain names may contain blanks, - and _',
    pool: ['DEV mySql', 'DEV mySql2', 'a_b-c'],
    config: 'vm-export=DEV mySql\nvm-export=a_b-c',
    vm: ['DEV mySql', 'a_b-c'],
  },
  {
    name: 'non-ASCII makes a regex (\\w is ASCII): prefix match',
    pool: ['Café', 'Café-2', 'Cafe'],
    config: 'vm-export=Café',
    vm: ['Café', 'Café-2'],
  },
  {
    name: 'names are case-sensitive',
    pool: ['PROD'],
    config: 'vm-export=prod',
    messages: ['L1: ***WARNING - vm not found: vm-export=prod', NO_VMS],
  },
  { name: '$ anchors the end', pool: ['PRD-PRINT', 'PRD-PRINTER1'], config: 'vm-export=PRD-PRINT$', vm: ['PRD-PRINT'] },
  { name: 'explicit ^ is allowed and changes nothing', pool: ['web1', 'xweb'], config: 'vm-export=^web', vm: ['web1'] },
  {
    name: 'regex with alternation and classes (README examples)',
    pool: ['DEV-aTEST', 'DEV-test2', 'DEV-Test3', 'DEV-x'],
    config: 'vdi-export=DEV-.*(TEST|test).*\nvm-export=DEV-.*[Tt]est.*',
    vdi: ['DEV-aTEST', 'DEV-test2'],
    vm: ['DEV-Test3'],
  },
  {
    name: 'exclude: empty value ignored silently',
    pool: ['a'],
    config: 'exclude=\nvm-export=a',
    vm: ['a'],
    exclude: [],
    messages: [],
  },
  {
    name: 'exclude: invalid regex logged, line skipped',
    pool: ['a'],
    config: 'exclude=PRD-[aA.*\nvm-export=a',
    vm: ['a'],
    messages: ['L1: ***ERROR - invalid regex: exclude=PRD-[aA.*'],
  },
  {
    name: 'exclude: no match warns',
    pool: ['a'],
    config: 'exclude=zzz\nvm-export=a',
    vm: ['a'],
    messages: ['L1: ***WARNING - vm not found: exclude=zzz'],
  },
  {
    name: 'exclude removes VMs for the lines after it',
    pool: ['PROD-a', 'PROD-bench', 'PROD-c'],
    config: 'exclude=PROD-bench\nvm-export=PROD.*',
    vm: ['PROD-a', 'PROD-c'],
    exclude: ['PROD-bench'],
    messages: [],
  },
  {
    name: 'exclude by regex',
    pool: ['TEMP-1', 'web', 'TEMP-2'],
    config: 'exclude=TEMP-.*\nvm-export=.*',
    vm: ['web'],
    exclude: ['TEMP-1', 'TEMP-2'],
  },
  {
    name: 'exclude is not split on colon',
    pool: ['a:b', 'a'],
    config: 'exclude=a:b\nvm-export=.*',
    vm: ['a'],
    exclude: ['a:b'],
  },
  {
    name: 'late exclude: v3.25 forces the exclude at the end',
    pool: ['PROD-a', 'PROD-bench'],
    config: 'vm-export=PROD.*\nexclude=PROD-bench',
    vm: ['PROD-a'],
    exclude: ['PROD-bench'],
    messages: ['L1: ***WARNING - forcing exclude of: PROD-bench '],
  },
  {
    name: 'plain selection of an already excluded VM: vm not found',
    pool: ['a', 'b'],
    config: 'exclude=a\nvm-export=a\nvm-export=b',
    vm: ['b'],
    messages: ['L2: ***WARNING - vm not found: vm-export=a'],
  },
  {
    name: 'selections ignored once every VM is excluded (no message)',
    pool: ['a', 'b'],
    config: 'exclude=.*\nvm-export=a\nvdi-export=b',
    vm: [],
    vdi: [],
    exclude: ['a', 'b'],
    messages: [NO_VMS],
  },
  {
    name: 'empty pool: selections ignored, excludes still warn',
    pool: [],
    config: 'exclude=x\nvm-export=a',
    messages: ['L1: ***WARNING - vm not found: exclude=x', NO_VMS],
  },
  {
    name: 'vdi-export= empty is ignored',
    pool: ['a'],
    config: 'vdi-export=\nvm-export=a',
    vdi: [],
    vm: ['a'],
    messages: [],
  },
  { name: 'vm-export= empty selects every VM', pool: ['a', 'b'], config: 'vm-export=', vm: ['a', 'b'] },
  {
    name: 'vdi-export=:3 is not empty: selects every VM with :3',
    pool: ['a', 'b'],
    config: 'vdi-export=:3',
    vdi: ['a:3', 'b:3'],
  },
  { name: 'metadata-export= empty selects every VM', pool: ['a'], config: 'metadata-export=', meta: ['a'] },
  {
    name: ':N is appended to each match',
    pool: ['DEV-1', 'DEV-2', 'PROD'],
    config: 'vm-export=DEV.*:2',
    vm: ['DEV-1:2', 'DEV-2:2'],
  },
  { name: 'empty :N is dropped', pool: ['a'], config: 'vm-export=a:', vm: ['a'] },
  {
    name: 'the : cut: (?:...) becomes an invalid regex',
    pool: ['a', 'b'],
    config: 'vm-export=(?:a|b)\nvm-export=b',
    vm: ['b'],
    messages: ['L1: ***ERROR - invalid regex: vm-export=(?:a|b)'],
  },
  { name: 'two colons: N is the part between them', pool: ['a'], config: 'vm-export=a:3:4', vm: ['a:3'] },
  {
    name: 'not found logs the whole value',
    pool: ['a'],
    config: 'vm-export=nothing.*:3\nvm-export=a',
    vm: ['a'],
    messages: ['L1: ***WARNING - vm not found: vm-export=nothing.*:3'],
  },
  {
    name: 'vm-export of a VM already in vdi-export (no :N) is skipped silently',
    pool: ['web1', 'web2'],
    config: 'vdi-export=web1\nvm-export=web.*',
    vdi: ['web1'],
    vm: ['web2'],
    messages: [],
  },
  {
    name: 'vdi-export with :N: vm-export added, then removed with a warning',
    pool: ['web1', 'web2'],
    config: 'vdi-export=web1:7\nvm-export=web.*',
    vdi: ['web1:7'],
    vm: ['web2'],
    messages: ['L2: ***WARNING vdi-export duplicate - removing vm-export=web1'],
  },
  {
    name: 'vdi-export after vm-export still wins',
    pool: ['web1', 'web2'],
    config: 'vm-export=web.*:3\nvdi-export=web2',
    vdi: ['web2'],
    vm: ['web1:3'],
    messages: ['L1: ***WARNING vdi-export duplicate - removing vm-export=web2:3'],
  },
  {
    name: 'de-dup: a later entry replaces an earlier one in place (the lost :N)',
    pool: ['web1', 'web2'],
    config: 'vm-export=web1:3\nvm-export=web.*',
    vm: ['web1', 'web2'],
  },
  {
    name: 'de-dup: later :N wins at the first position',
    pool: ['web1', 'web2'],
    config: 'vm-export=web.*\nvm-export=web1:3',
    vm: ['web1:3', 'web2'],
  },
  { name: 'de-dup of vdi-export too', pool: ['a'], config: 'vdi-export=a:2\nvdi-export=a', vdi: ['a'] },
  {
    name: 'duplicate VM names in the pool: one entry',
    pool: ['dup', 'dup', 'x'],
    config: 'vm-export=dup',
    vm: ['dup'],
  },
  {
    name: 'duplicate names: exclude list holds the name once per VM',
    pool: ['dup', 'dup', 'x'],
    config: 'exclude=dup\nvm-export=.*',
    vm: ['x'],
    exclude: ['dup', 'dup'],
  },
  {
    name: 'message order: load (file order), vdi duplicates, forcing excludes, no VMs',
    pool: ['a', 'b'],
    config: 'vm-export=a\nvdi-export=a:1\nexclude=zz\nvm-export=b\nexclude=b',
    vdi: ['a:1'],
    vm: [],
    messages: [
      'L3: ***WARNING - vm not found: exclude=zz',
      'L1: ***WARNING vdi-export duplicate - removing vm-export=a',
      'L4: ***WARNING - forcing exclude of: b ',
    ],
  },
  { name: 'only excludes: no VMs loaded', pool: ['a'], config: 'exclude=a', exclude: ['a'], messages: [NO_VMS] },
  {
    name: 'non-integer :N is kept in the list, then rejected by validation',
    pool: ['a', 'b'],
    config: 'vm-export=a:x\nvdi-export=b:y\nvm-export=a:0',
    vdi: ['b:y'],
    vm: ['a:0'],
    messages: ['L2: ERROR: vm_max_backup is invalid - b:y'],
  },
  { name: 'metadata-export list (v3.2)', pool: ['WEB-1', 'DB'], config: 'metadata-export=WEB.*:2', meta: ['WEB-1:2'] },
  {
    name: 'unknown keys and settings do not select',
    pool: ['a'],
    config: 'max_backups=2\nfoo=a\nvm-export=a',
    vm: ['a'],
  },
];

for (const c of cases) {
  test(c.name, () => {
    const p = plan(c.config, c.pool);
    if (c.vdi)
      assert.deepEqual(
        p.vdiExport.map((v) => v.entry),
        c.vdi,
        'vdi-export',
      );
    if (c.vm)
      assert.deepEqual(
        p.vmExport.map((v) => v.entry),
        c.vm,
        'vm-export',
      );
    if (c.meta)
      assert.deepEqual(
        p.metadataExport.map((v) => v.entry),
        c.meta,
        'metadata-export',
      );
    if (c.exclude)
      assert.deepEqual(
        p.excluded.flatMap((e) => new Array<string>(e.occurrences).fill(e.name)),
        c.exclude,
        'exclude',
      );
    if (c.messages) assert.deepEqual(messages(p), c.messages, 'messages');
  });
}

test('regexErrors / matchWarnings / noVmsLoaded flags', () => {
  const p = plan('exclude=[\nvm-export=zz\nvm-export=a', ['a']);
  assert.equal(p.regexErrors, true);
  assert.equal(p.matchWarnings, true);
  assert.equal(p.noVmsLoaded, false);
  const q = plan('vm-export=a', ['a']);
  assert.deepEqual([q.regexErrors, q.matchWarnings, q.noVmsLoaded], [false, false, false]);
});
