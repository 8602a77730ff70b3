// Regex syntax diagnostics (exact column from CPython's position) and inventory-aware
// diagnostics: code, severity, exact range, and the lines they name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig, validateConfig, type ConfigDiagnostic } from '../../runner/src/config';
import { inventoryDiagnostics, planSelection, regexDiagnostics } from '../../runner/src/select';
import { inventory, type VmSpec } from './helpers';

type Expected = [code: string, severity: string, line: number, start: number, end: number];
const shape = (d: ConfigDiagnostic): Expected => [
  d.code,
  d.severity,
  d.range.start.line,
  d.range.start.character,
  d.range.end.character,
];

const regexCases: Array<[string, string, Expected[], string?]> = [
  [
    'unterminated set at CPython position 4',
    'vm-export=PRD-[aA.*',
    [['VMB030', 'error', 0, 14, 15]],
    'unterminated character set at position 4',
  ],
  ['missing ) on exclude', 'exclude=a(b', [['VMB030', 'error', 0, 9, 10]], 'missing ), unterminated subpattern'],
  ['nothing to repeat', 'vdi-export=+a:2', [['VMB030', 'error', 0, 11, 12]], 'nothing to repeat at position 0'],
  ['bad escape (Python 2 accepted it: noted)', 'vm-export=a\\q', [['VMB030', 'error', 0, 11, 12]], 'Python 2'],
  ['unbalanced parenthesis', 'metadata-export=PROD)', [['VMB030', 'error', 0, 20, 21]], 'unbalanced parenthesis'],
  ['(?:...) cut at the colon', 'vm-export=(?:web|db)-.*', [['VMB031', 'error', 0, 12, 13]], 'cut'],
  ['[:] cut at the colon', 'vdi-export=a[:]', [['VMB031', 'error', 0, 13, 14]]],
  ['conditional group is unsupported', 'vm-export=(a)?(?(1)b|c)', [['VMB032', 'error', 0, 14, 15]], 'cannot run'],
  [
    'valid regexes and plain names are clean',
    'vm-export=PRD-.*print[\\d{1,}]$:8\nexclude=DEV-V.*TEMP$\nvm-export=DEV mySql\nvm-export=',
    [],
  ],
  ['a bare * is reported once (VMB016)', 'vm-export=*', []],
];

for (const [name, text, expected, says] of regexCases) {
  test(`regex: ${name}`, () => {
    const diags = regexDiagnostics(parseConfig(text));
    assert.deepEqual(diags.map(shape), expected);
    if (says) assert.ok(diags[0]!.message.includes(says), diags[0]!.message);
  });
}

test('VMB033 only in original mode: regex constructs Python 2.7 rejects', () => {
  // (?i:...) contains ':' so only an exclude can hold it (a selection would be cut, VMB031).
  const config = parseConfig('exclude=(?i:prod).*\nvm-export=a(?>b)');
  assert.deepEqual(regexDiagnostics(config).map(shape), []);
  const d = regexDiagnostics(config, { compatibility: 'original' });
  assert.deepEqual(d.map(shape), [
    ['VMB033', 'error', 0, 8, 19],
    ['VMB033', 'error', 1, 10, 16],
  ]);
  assert.match(d[0]!.message, /Python 2/);
  assert.deepEqual(
    validateConfig(config, { compatibility: 'original' }).map((x) => x.code),
    ['VMB033', 'VMB033'],
  );
});

test('VMB033 messages: what Python 2.7 rejects (error) and what it reads differently (warning)', () => {
  const config = parseConfig(
    'vm-export=(?>a)\\u00e9\nexclude=caf\\u00e9\nexclude=\\U0001F600x\\u00e8\nexclude=caf\\\\u00e9',
  );
  const d = regexDiagnostics(config, { compatibility: 'original' });
  assert.deepEqual(d.map(shape), [
    ['VMB033', 'error', 0, 10, 21],
    ['VMB033', 'warning', 1, 8, 17],
    ['VMB033', 'warning', 2, 8, 25],
  ]);
  assert.deepEqual(
    d.map((x) => x.message),
    [
      // Rejected: the meaning of \u no longer matters, only the rejection is reported.
      'The original (Python 2.7) rejects this regex and logs "***ERROR - invalid regex: vm-export=(?>a)\\u00e9": ' +
        'Atomic groups (?>...) are new in Python 3.11.',
      'The original (Python 2.7) accepts this regex but reads it differently, so it selects other VMs than ' +
        'vmbackup: Python 2.7 read \\u as the plain letter "u" (no \\u escapes in Python 2 str patterns).',
      'The original (Python 2.7) accepts this regex but reads it differently, so it selects other VMs than ' +
        'vmbackup: Python 2.7 read \\U as the plain letter "U" (no \\U escapes in Python 2 str patterns). Python 2.7 ' +
        'read \\u as the plain letter "u" (no \\u escapes in Python 2 str patterns).',
    ],
  );
  assert.deepEqual(regexDiagnostics(config), [], 'extended mode follows Python 3 silently');
  const [lookbehind] = regexDiagnostics(parseConfig('exclude=(a)(?<!\\1)b'), { compatibility: 'original' });
  assert.equal(
    lookbehind!.message,
    'The original (Python 2.7) accepts this regex but reads it differently, so it selects other VMs than vmbackup: ' +
      'Python 2.7 did not support group references inside a look-behind (it matched them differently).',
  );
});

test('VMB030 message: a regex Python 2.7 accepted says so instead of "the original fails"', () => {
  const [escape, flags, plain] = regexDiagnostics(parseConfig('vm-export=PROD\\q\nexclude=a(?i)\nvm-export=a(b'));
  assert.equal(
    escape!.message,
    'Invalid regex: bad escape \\q at position 4. vmbackup logs "***ERROR - invalid regex: vm-export=PROD\\q" and ' +
      'the run fails; the original (Python 2.7) accepted it: Python 2.7 read the unknown escape \\q as the letter ' +
      '"q"; Python 3.7+ rejects it.',
  );
  assert.equal(
    flags!.message,
    'Invalid regex: global flags not at the start of the expression at position 1. vmbackup logs "***ERROR - ' +
      'invalid regex: exclude=a(?i)" and the run fails; the original (Python 2.7) accepted it: Python 2.7 accepted ' +
      'inline flags such as (?i) anywhere in the pattern; Python 3.11+ only at the start.',
  );
  assert.equal(
    plain!.message,
    'Invalid regex: missing ), unterminated subpattern at position 1. The original logs "***ERROR - invalid regex: ' +
      'vm-export=a(b" and the run fails.',
  );
});

test('validateConfig includes regex errors; the cut regex does not also report :N', () => {
  const codes = validateConfig(parseConfig('vm-export=(?:a|b)\nvm-export=[')).map((d) => d.code);
  assert.deepEqual(codes, ['VMB031', 'VMB030']);
});

function inv(text: string, pool: VmSpec[]): ConfigDiagnostic[] {
  const config = parseConfig(text);
  const i = inventory(pool);
  return inventoryDiagnostics(config, i, planSelection(config, i));
}

test('VMB040 no match, with a case hint', () => {
  const d = inv('vm-export=prod-web\nvm-export=PROD-web', ['PROD-web']);
  assert.deepEqual(d.map(shape), [['VMB040', 'warning', 0, 10, 18]]);
  assert.match(d[0]!.message, /Did you mean 'PROD-web'/);
  assert.match(d[0]!.message, /vm not found: vm-export=prod-web/);
});

test('VMB040 on an exclude and on a selection of an excluded VM (names the exclude line)', () => {
  const d = inv('exclude=nothere\nexclude=a\nvm-export=a\nvm-export=b', ['a', 'b']);
  assert.deepEqual(d.map(shape), [
    ['VMB040', 'warning', 0, 8, 15],
    ['VMB040', 'warning', 2, 10, 11],
  ]);
  assert.match(d[1]!.message, /excluded by line 2/);
  assert.deepEqual(d[1]!.related?.[0]?.range.start, { line: 1, character: 0 });
});

test('VMB041 :N lost to a later line, naming both lines', () => {
  const d = inv('vm-export=web1:3\nvm-export=web.*', ['web1', 'web2']);
  assert.deepEqual(d.map(shape), [['VMB041', 'warning', 0, 15, 16]]);
  assert.match(d[0]!.message, /line 2/);
  assert.match(d[0]!.message, /4 backups/);
  assert.deepEqual(d[0]!.related?.[0]?.range.start, { line: 1, character: 0 });
});

test('VMB041 not reported when the later line has the same :N', () => {
  assert.deepEqual(inv('vm-export=web1:3\nvm-export=web.*:3', ['web1']).map(shape), []);
});

test('VMB042 VM in both lists: information on the vm-export line', () => {
  const d = inv('vdi-export=big:2\nvm-export=.*', ['big', 'small']);
  assert.deepEqual(d.map(shape), [['VMB042', 'information', 1, 10, 12]]);
  assert.match(d[0]!.message, /'big'.*vdi-export \(line 1\)/);
});

test('VMB043 selected name held by more than one VM', () => {
  const d = inv('vm-export=dup\nvm-export=x', ['dup', 'dup', 'x']);
  assert.deepEqual(d.map(shape), [['VMB043', 'error', 0, 10, 13]]);
  assert.match(d[0]!.message, /2x 'dup'/);
});

test('VMB044 nothing selected', () => {
  // Once every VM is excluded the original skips selections silently: only VMB044.
  assert.deepEqual(inv('# c\nexclude=a\nvm-export=a', ['a']).map(shape), [['VMB044', 'error', 2, 0, 9]]);
  const empty = inv('max_backups=2\nvm-export=.*', []);
  assert.deepEqual(empty.map(shape), [['VMB044', 'error', 1, 0, 9]]);
  assert.match(empty[0]!.message, /pool has no VMs/);
  // A file with no selection yet (a new file being written) gets no VMB044.
  assert.deepEqual(inv('', ['a']).map(shape), []);
  assert.deepEqual(inv('max_backups=2\n', ['a']).map(shape), []);
});

test('VMB045 selected VM dropped by a later exclude', () => {
  const d = inv('vm-export=PROD.*\nexclude=PROD-bench', ['PROD-a', 'PROD-bench']);
  assert.deepEqual(d.map(shape), [['VMB045', 'warning', 0, 10, 16]]);
  assert.match(d[0]!.message, /'PROD-bench'.*line 2/);
});

test('clean config against its pool: no inventory diagnostics', () => {
  assert.deepEqual(inv('exclude=PROD-bench\nvdi-export=BIG\nvm-export=PROD.*:3', ['PROD-a', 'PROD-bench', 'BIG']), []);
});

/** The suggestion in a VMB040 message, or '' when there is none. */
function suggestionIn(d: ConfigDiagnostic): string {
  return /Did you mean '(.*)'\? \(names are case-sensitive and blanks count\)/s.exec(d.message)?.[1] ?? '';
}

test('VMB040 suggestion: first pool name equal ignoring case or surrounding blanks, in pool order', () => {
  const text = 'vm-export=prod-web\nvm-export=web1 :3\nexclude=DB\nvm-export=WEB1 :2\nvm-export=nothing';
  const suggestions = (pool: string[]) =>
    inv(text, pool)
      .filter((d) => d.code === 'VMB040')
      .map((d) => [d.range.start.line, suggestionIn(d)]);
  // Blanks: 'web1 ' (before the ':') is 'web1' without the blank; case: the first of two spellings.
  assert.deepEqual(suggestions(['PROD-WEB', 'PROD-Web', 'db', 'web1']), [
    [0, 'PROD-WEB'],
    [1, 'web1'],
    [2, 'db'],
    [3, ''],
    [4, ''],
  ]);
  // 'WEB1 ' is 'web1 ' ignoring case and 'WEB1' without the blank: the one listed first wins.
  assert.deepEqual(
    suggestions(['web1 ', 'WEB1']).filter(([line]) => line === 3),
    [[3, 'web1 ']],
  );
  assert.deepEqual(
    suggestions(['WEB1', 'web1 ']).filter(([line]) => line === 3),
    [[3, 'WEB1']],
  );
});

test('VMB040 suggestions agree with a scan of the whole pool (random names)', () => {
  let seed = 7;
  const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
  const pick = (chars: string, length: number) => Array.from({ length }, () => chars[random(chars.length)]).join('');
  // Near misses of pool names: letters in random case, or a blank added before ':N'.
  const nearMiss = (name: string) =>
    random(2) ? [...name].map((c) => (random(2) ? c.toUpperCase() : c.toLowerCase())).join('') : `${name} `;
  let suggested = 0;
  for (let round = 0; round < 40; round++) {
    const pool = Array.from({ length: 10 }, () => pick('aAbB -', 1 + random(3)));
    const patterns = pool.map(nearMiss).filter((p) => p.trim() !== '' && !p.startsWith(' '));
    const diags = inv(patterns.map((p) => `vm-export=${p}:2`).join('\n'), pool);
    const poolNames = [...new Set(pool)];
    for (const d of diags.filter((x) => x.code === 'VMB040')) {
      const pattern = patterns[d.range.start.line]!;
      const scanned = poolNames.find((n) => n.toLowerCase() === pattern.toLowerCase() || n === pattern.trim()) ?? '';
      assert.equal(suggestionIn(d), scanned, `pattern '${pattern}' against ${JSON.stringify(pool)}`);
      if (scanned !== '') suggested++;
    }
  }
  assert.ok(suggested > 50, `only ${suggested} suggestions compared`);
});
