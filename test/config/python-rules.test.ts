// Differential test against real Python: the original (Python 2) reads the config as byte
// strings; Python 3 `bytes` has the same strip(), int(), split() and ASCII regex rules. For
// each generated line, Python classifies it exactly like `config_load` does, and our parser
// and helpers must agree (stripping, key/value/name/N, plain-name test, integer test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { isPlainName, isPyInt, parseConfig, pyIntValue } from '../../runner/src/config';

const PYTHON = `
import json, re, sys
lines = json.loads(sys.stdin.read())
out = []
plain = re.compile(rb'^[\\w\\s\\-\\_]+$')
for text in lines:
    line = text.encode('utf-8')
    if line.startswith(b'#') or len(line.strip()) == 0:
        out.append({'kind': 'skip'})
        continue
    parts = line.strip().split(b'=')
    if len(parts) != 2:
        out.append({'kind': 'crash'})
        continue
    key = parts[0].strip(); value = parts[1].strip()
    values = value.split(b':')
    name = values[0]; n = values[1] if len(values) > 1 else b''
    try:
        iv = int(n); isint = True
    except ValueError:
        iv = None; isint = False
    out.append({'kind': 'entry', 'key': key.decode('utf-8', 'replace'), 'value': value.decode('utf-8', 'replace'),
                'name': name.decode('utf-8', 'replace'), 'n': n.decode('utf-8', 'replace'),
                'plain': plain.match(name) is not None, 'isint': isint, 'int': iv})
print(json.dumps(out))
`;

function generate(count: number): string[] {
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const parts = [
    'vm-export',
    'exclude',
    'max_backups',
    '=',
    ':',
    '#',
    ' ',
    '\t',
    '\x0b',
    '\x0c',
    'web',
    '1',
    '-',
    '_',
    '.',
    '*',
    'é',
    '\u00a0',
    '+',
    '3',
    '0',
    '-2',
    'x y',
    '(?:',
    ')',
  ];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let s = '';
    const len = 1 + Math.floor(rand() * 8);
    for (let j = 0; j < len; j++) s += parts[Math.floor(rand() * parts.length)];
    out.push(s);
  }
  return out;
}

test('parser and helpers agree with Python byte-string semantics on 3,000 generated lines', (t) => {
  const lines = generate(3000);
  const py = spawnSync('python3', ['-c', PYTHON], {
    input: JSON.stringify(lines),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (py.error) {
    // python3 is a documented requirement of the test suite (the pyre differential test needs it too).
    throw new Error(`python3 is required for this test: ${py.error.message}`);
  }
  assert.equal(py.status, 0, py.stderr);
  const expected = JSON.parse(py.stdout) as Array<Record<string, unknown>>;
  let entries = 0;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    const want = expected[i]!;
    const node = parseConfig(text).lines[0]!;
    const label = JSON.stringify(text);
    if (want.kind === 'skip') {
      assert.ok(
        node.kind === 'blank' || (node.kind === 'comment' && !node.indented),
        `${label} is skipped by the original`,
      );
      continue;
    }
    if (want.kind === 'crash') {
      assert.ok(
        node.kind === 'malformed' || (node.kind === 'comment' && node.indented),
        `${label} crashes the original`,
      );
      continue;
    }
    // One '=': an entry for us, or an indented comment (which the original reads as key '# ...').
    if (node.kind === 'comment') {
      assert.ok(node.indented && String(want.key).startsWith('#'), label);
      continue;
    }
    assert.equal(node.kind, 'entry', label);
    if (node.kind !== 'entry') continue;
    entries++;
    assert.equal(node.key, want.key, `${label} key`);
    assert.equal(node.value, want.value, `${label} value`);
    // Selection keys carry the split; for other keys split the value the same way here.
    const parts = node.value.split(':');
    const name = node.suffix ? node.name : parts[0]!;
    const n = node.suffix ? node.suffix.text.split(':')[0]! : (parts[1] ?? '');
    assert.equal(name, want.name, `${label} name`);
    assert.equal(n, want.n, `${label} N`);
    assert.equal(isPlainName(name), want.plain, `${label} plain`);
    assert.equal(isPyInt(n), want.isint, `${label} int`);
    if (want.isint) assert.equal(pyIntValue(n), want.int, `${label} int value`);
  }
  t.diagnostic(`${entries} entry lines compared`);
  assert.ok(entries > 300, 'enough entries were compared');
});
