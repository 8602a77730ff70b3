// Differential test of the selection rules against an independent Python model of
// vmbackup-behaviour.md §3, run by real CPython with its real `re` module (re.ASCII, as the
// original's byte strings): list-based, literal (exclude removes one occurrence per exclude
// entry, `vm in vdi_list`, remove-dup with in-place replacement), so it checks both our
// faster data structures and the Python-re engine inside planSelection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { messages, plan } from './helpers';

const MODEL = `
import json, re, sys

def plain(n):
    return re.match(r'^[\\w\\s\\-\\_]+$', n, re.ASCII) is not None

def valid(p):
    try:
        re.compile(p, re.ASCII)
        return True
    except re.error:
        return False

def hit(p, vm):
    return (plain(p) and p == vm) or (not plain(p) and re.match(p, vm, re.ASCII) is not None)

def root(e):
    return e.split(':')[0]

def run(case):
    all_vms = list(case['pool'])
    cfg = {'exclude': [], 'vm-export': [], 'vdi-export': [], 'metadata-export': []}
    msgs = []
    for text in case['lines']:
        if text.startswith('#') or len(text.strip()) == 0:
            continue
        key, value = [p.strip() for p in text.strip().split('=')]
        if key == 'exclude':
            if value == '':
                continue
            if not plain(value) and not valid(value):
                msgs.append('***ERROR - invalid regex: %s=%s' % (key, value))
                continue
            found = False
            for vm in all_vms:
                if hit(value, vm):
                    found = True
                    cfg['exclude'].append(vm)
            if not found:
                msgs.append('***WARNING - vm not found: %s=%s' % (key, value))
            else:
                for vm in cfg['exclude']:
                    if vm in all_vms:
                        all_vms.remove(vm)
        elif key in ('vm-export', 'vdi-export', 'metadata-export'):
            if all_vms == []:
                continue
            if key == 'vdi-export' and value == '':
                continue
            values = value.split(':')
            name = values[0]
            n = values[1] if len(values) > 1 else ''
            if not plain(name) and not valid(name):
                msgs.append('***ERROR - invalid regex: %s=%s' % (key, value))
                continue
            found = False
            for vm in all_vms:
                if hit(name, vm):
                    found = True
                    new = vm if n == '' else '%s:%s' % (vm, n)
                    if key == 'vm-export' and vm in cfg['vdi-export']:
                        continue
                    cfg[key].append(new)
            if not found:
                msgs.append('***WARNING - vm not found: %s=%s' % (key, value))
    for vdi in cfg['vdi-export']:
        for vm in list(cfg['vm-export']):
            if root(vm) == root(vdi):
                msgs.append('***WARNING vdi-export duplicate - removing vm-export=%s' % vm)
                cfg['vm-export'].remove(vm)
    def remove_dup(entries):
        final = []
        for val in entries:
            accounted = False
            for i in range(len(final)):
                if root(final[i]) == root(val):
                    final[i] = val
                    if root(val) in cfg['exclude']:
                        msgs.append('***WARNING - forcing exclude of: %s ' % val)
                        del final[i]
                    accounted = True
                    break
            if root(val) in cfg['exclude']:
                msgs.append('***WARNING - forcing exclude of: %s ' % val)
                accounted = True
            if not accounted:
                final.append(val)
        return final
    lists = {k: remove_dup(cfg[k]) for k in ('vdi-export', 'vm-export', 'metadata-export')}
    for k in ('vdi-export', 'vm-export'):
        for e in lists[k]:
            if ':' in e:
                try:
                    int(e.split(':')[1])
                except ValueError:
                    msgs.append('ERROR: vm_max_backup is invalid - %s' % e)
    if not lists['vdi-export'] and not lists['vm-export'] and not lists['metadata-export']:
        msgs.append('ERROR no VMs loaded')
    return {'vdi': lists['vdi-export'], 'vm': lists['vm-export'], 'meta': lists['metadata-export'],
            'exclude': cfg['exclude'], 'messages': msgs}

print(json.dumps([run(c) for c in json.loads(sys.stdin.read())]))
`;

const POOL = [
  'web1',
  'web2',
  'web10',
  'db1',
  'PROD-a',
  'PROD-b',
  'PROD-bench',
  'DEV 1',
  'DEV-x',
  'x.y',
  'xzy',
  'dup',
  'dup',
  'TEMP-1',
  'Café',
];
const KEYS = ['vm-export', 'vm-export', 'vdi-export', 'metadata-export', 'exclude', 'exclude', 'max_backups'];
const NAMES = [
  '',
  'web1',
  'web.*',
  'web1.*',
  'w',
  'PROD',
  'PROD.*',
  'PROD-bench',
  'dup',
  'd.p',
  'DEV 1',
  'DEV.*',
  'x.y',
  '.*',
  '[',
  '(?:a|b)',
  'web[0-9]$',
  'TEMP-.*',
  'Caf.',
  '(web|db)1',
  'nothing',
  'PROD-[ab]',
];
const SUFFIXES = ['', '', '', ':3', ':0', ':x', ':', ':2:5'];

test('selection agrees with the Python model on 400 random configs', () => {
  let seed = 99;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const cases: Array<{ pool: string[]; lines: string[] }> = [];
  for (let n = 0; n < 400; n++) {
    const pool = POOL.filter(() => rand() < 0.8);
    const lines: string[] = [];
    const count = 1 + Math.floor(rand() * 9);
    for (let i = 0; i < count; i++) {
      if (rand() < 0.08) {
        lines.push(pick(['# comment', '', '   ']));
        continue;
      }
      const key = pick(KEYS);
      lines.push(
        `${key}=${key === 'max_backups' ? pick(['2', '5']) : pick(NAMES) + (key === 'exclude' ? '' : pick(SUFFIXES))}`,
      );
    }
    cases.push({ pool, lines });
  }
  const py = spawnSync('python3', ['-c', MODEL], {
    input: JSON.stringify(cases),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (py.error) throw new Error(`python3 is required for this test: ${py.error.message}`);
  assert.equal(py.status, 0, py.stderr);
  const expected = JSON.parse(py.stdout) as Array<{
    vdi: string[];
    vm: string[];
    meta: string[];
    exclude: string[];
    messages: string[];
  }>;
  // The random cases must exercise every rule, or agreement would prove little.
  const all = expected.flatMap((e) => e.messages).join('\n');
  for (const kind of [
    'invalid regex',
    'vm not found',
    'vdi-export duplicate',
    'forcing exclude',
    'vm_max_backup is invalid',
    'no VMs loaded',
  ]) {
    assert.ok(all.includes(kind), `some case produces "${kind}"`);
  }
  assert.ok(
    expected.filter((e) => e.vm.length + e.vdi.length + e.meta.length > 2).length > 100,
    'many cases select several VMs',
  );
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i]!;
    const p = plan(c.lines.join('\n'), c.pool);
    const label = `case ${i}: pool ${JSON.stringify(c.pool)}\n${c.lines.join('\n')}`;
    const want = expected[i]!;
    assert.deepEqual(
      p.vdiExport.map((v) => v.entry),
      want.vdi,
      `${label}\nvdi-export`,
    );
    assert.deepEqual(
      p.vmExport.map((v) => v.entry),
      want.vm,
      `${label}\nvm-export`,
    );
    assert.deepEqual(
      p.metadataExport.map((v) => v.entry),
      want.meta,
      `${label}\nmetadata-export`,
    );
    assert.deepEqual(
      p.excluded.flatMap((e) => new Array<string>(e.occurrences).fill(e.name)),
      want.exclude,
      `${label}\nexclude`,
    );
    assert.deepEqual(
      messages(p).map((m) => m.replace(/^L\d+: /, '')),
      want.messages,
      `${label}\nmessages`,
    );
  }
});
