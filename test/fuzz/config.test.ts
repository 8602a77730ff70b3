// The seeded config fuzzer (issue 11): generated configs with hostile regexes, odd keys, huge
// lines, control characters, BOM and CRLF/CR go through the pure pipeline, the CLI preview and
// the language server. Nothing may throw, hang (regexes run within an injected budget),
// point outside the document, print a stack trace, or stop the server from answering.
// `npm test` runs a few seeds; `npm run fuzz` runs many (VMBACKUP_FUZZ=long).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyEdits, parseConfig, resolveSettings, validateConfig } from '../../runner/src/config';
import { inventoryDiagnostics, planSelection, renderSettingsBlock } from '../../runner/src/select';
import { inventory } from '../select/helpers';
import { ensureBundle, runCli, startPool, tempDir } from '../runner/helpers';
import type { Simulator } from '../sim/index';
import { Methods } from '../../server/src/protocol';
import { TestClient } from '../lsp/harness';
import { fuzzCount, FUZZ_POOL, generateCase } from './generate';
import { lspLines, rangeProblem } from './ranges';

const BUDGET_MS = 30;
const FIRST_SEED = Number(process.env.VMBACKUP_FUZZ_SEED ?? 1);
const seeds = (count: number, offset: number) => Array.from({ length: count }, (_, i) => FIRST_SEED + offset + i);

test('pure pipeline: parse, validate, plan, pool diagnostics, settings block', () => {
  for (const seed of seeds(fuzzCount(60, 3000), 0)) {
    const { text, pool } = generateCase(seed);
    const where = `seed ${seed}: ${JSON.stringify(text.slice(0, 200))}`;
    const config = parseConfig(text);
    const lines = lspLines(text);
    assert.equal(config.lines.length, lines.length, where);
    const inv = inventory(pool);
    const plan = planSelection(config, inv, { regexBudgetMs: BUDGET_MS });
    const diagnostics = [
      ...validateConfig(config),
      ...validateConfig(config, { compatibility: 'original', ignoreExtraKeys: true }),
      ...inventoryDiagnostics(config, inv, plan),
    ];
    renderSettingsBlock(resolveSettings(config), plan);
    for (const d of diagnostics) {
      const ranges = [d.range, ...(d.related ?? []).map((r) => r.range), ...(d.fix?.edits ?? []).map((e) => e.range)];
      for (const r of ranges) assert.equal(rangeProblem(r, lines), undefined, `${where} ${d.code} ${d.message}`);
      if (d.fix) assert.equal(typeof applyEdits(text, d.fix.edits), 'string');
    }
  }
});

describe('CLI preview', () => {
  let sim: Simulator;
  before(async () => {
    ensureBundle();
    sim = await startPool({
      name: 'fuzz',
      vms: FUZZ_POOL.filter((n) => n !== '').map((name) => ({ name, disks: [{ size: '1MiB' }] })),
    });
  });
  after(async () => sim.close());

  test('exit 0, 1 or 2 with a message, never a stack trace', async () => {
    const dir = tempDir('vmbackup-fuzz-');
    for (const seed of seeds(fuzzCount(3, 60), 10_000)) {
      const { text } = generateCase(seed);
      const file = join(dir, `fuzz-${seed}.cfg`);
      writeFileSync(file, text);
      const result = await runCli(sim, [file, 'preview'], { VMBACKUP_REGEX_BUDGET_MS: String(BUDGET_MS) });
      const output = result.stdout + result.stderr;
      const where = `seed ${seed}: ${JSON.stringify(text.slice(0, 200))}\n${output.slice(-2000)}`;
      assert.ok(result.code === 0 || result.code === 1 || result.code === 2, where);
      assert.doesNotMatch(output, /^\s+at .+\(?.+:\d+:\d+\)?$/m, `stack trace; ${where}`);
      assert.doesNotMatch(output, /unexpected failure/, where);
    }
  });
});

describe('language server', () => {
  let sim: Simulator;
  let client: TestClient;
  before(async () => {
    sim = await startPool({
      name: 'fuzz-lsp',
      vms: FUZZ_POOL.filter((n) => n !== '').map((name) => ({ name, disks: [{ size: '1MiB' }] })),
    });
    client = new TestClient({
      settings: { pool: { url: sim.url, user: 'root' } },
      env: { VMBACKUP_REGEX_BUDGET_MS: String(BUDGET_MS) },
    });
    await client.initialize();
    await client.connection.sendRequest(Methods.setPoolPassword, { password: sim.password });
    await client.waitForPoolStatus('connected', (s) => s.state === 'connected');
  });
  after(async () => {
    await client.dispose();
    await sim.close();
  });

  test('valid diagnostics for every document, and an answer to a hover on every one', async () => {
    for (const seed of seeds(fuzzCount(8, 300), 20_000)) {
      const { text } = generateCase(seed);
      const uri = `file:///fuzz/seed-${seed}.cfg`;
      const where = `seed ${seed}: ${JSON.stringify(text.slice(0, 200))}`;
      await client.open(uri, text);
      const lines = lspLines(text);
      const diagnostics = await client.diagnosticsFor(uri, 30_000);
      for (const d of diagnostics) assert.equal(rangeProblem(d.range, lines), undefined, `${where} ${String(d.code)}`);
      const line = seed % lines.length;
      const hover = await client.hover(uri, { line, character: Math.floor(lines[line]!.length / 2) });
      assert.equal(typeof hover, 'string', where);
      await client.close(uri);
    }
    assert.doesNotMatch(client.stderr, /\n\s+at /, 'no crash on the server');
  });
});
