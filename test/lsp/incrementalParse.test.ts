// The server's incremental re-parse must always equal a full parse by the runner.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../runner/src/config/parse';
import { parseIncrementally } from '../../server/src/incrementalParse';

const PIECES = [
  'vm-export=',
  'PROD',
  '.*',
  ':3',
  '\n',
  '=',
  '#',
  ' ',
  'exclude=web',
  'max_backups=4',
  '\n\n',
  'x',
  ':',
];

function randomEdit(text: string, random: () => number): string {
  const at = Math.floor(random() * (text.length + 1));
  const removed = random() < 0.4 ? Math.floor(random() * 12) : 0;
  const inserted = random() < 0.8 ? PIECES[Math.floor(random() * PIECES.length)]! : '';
  return text.slice(0, at) + inserted + text.slice(at + removed);
}

function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

describe('incremental parse', () => {
  it('equals a full parse after thousands of random edits', () => {
    const random = seeded(42);
    let text = '# weekend\nmax_backups=4\nexclude=PROD-db\nvm-export=PROD.*:3\n\nvdi-export=BIG\n';
    let previous = { text, config: parseConfig(text) };
    for (let i = 0; i < 3000; i++) {
      text = randomEdit(text, random);
      if (text.length > 400) text = text.slice(0, 200);
      const config = parseIncrementally(previous, text);
      assert.deepEqual(config, parseConfig(text), `after edit ${i}: ${JSON.stringify(text)}`);
      previous = { text, config };
    }
  });

  it('handles CRLF files and byte order marks by parsing them whole', () => {
    const crlf = 'max_backups=4\r\nvm-export=a\r\n';
    const next = crlf.replace('a', 'ab');
    assert.deepEqual(parseIncrementally({ text: crlf, config: parseConfig(crlf) }, next), parseConfig(next));
    const bom = '\ufeffmax_backups=4\nvm-export=a\n';
    const nextBom = bom.replace('a\n', 'b\n');
    assert.deepEqual(parseIncrementally({ text: bom, config: parseConfig(bom) }, nextBom), parseConfig(nextBom));
  });
});
