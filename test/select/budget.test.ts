// Catastrophic backtracking (issue 11, item 5): a regex such as (a+)+$ against a long VM name
// must end as "too expensive" within its time budget, never spin. The budgets here are
// injected; the hostile cases need 2^40+ steps, far beyond any budget on any machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../runner/src/config';
import { compilePython } from '../../runner/src/pyre';
import {
  inventoryDiagnostics,
  matchWithinBudget,
  planSelection,
  regexBudgetFromEnv,
  DEFAULT_REGEX_BUDGET_MS,
} from '../../runner/src/select';
import { matchInWorker } from '../../runner/src/select/matchWorker';
import { inventory } from './helpers';

const LONG_A = 'a'.repeat(40) + '!';
const LONG_WORDS = 'ab1-'.repeat(12) + 'ab1!!';
const HOSTILE = ['(a+)+$', '([A-Za-z0-9]+-?)+$'];

function job(pattern: string) {
  const compiled = compilePython(pattern);
  assert.ok(compiled.ok, pattern);
  return { pattern, regex: compiled.regex };
}

test('a hostile regex is reported too expensive; the other patterns still match', () => {
  const names = ['web01', LONG_A, LONG_WORDS, 'aaa'];
  const results = matchWithinBudget([job('web.*'), job(HOSTILE[0]!), job('a+$'), job(HOSTILE[1]!)], names, 50);
  assert.deepEqual(results.get('web.*'), new Set(['web01']));
  assert.equal(results.get(HOSTILE[0]!), 'too-expensive');
  assert.deepEqual(results.get('a+$'), new Set(['aaa']));
  assert.equal(results.get(HOSTILE[1]!), 'too-expensive');
});

test('planSelection: the hostile line is an error of its own (VMB034), other lines are planned', () => {
  const config = parseConfig(['vm-export=web.*', `vm-export=${HOSTILE[1]}`, 'exclude=(a+)+$'].join('\n'));
  const inv = inventory(['web01', LONG_WORDS, LONG_A]);
  const plan = planSelection(config, inv, { regexBudgetMs: 50 });
  assert.deepEqual(plan.lines.map((l) => l.status), ['matched', 'regex-too-expensive', 'regex-too-expensive']);
  assert.equal(plan.regexErrors, true, 'the run fails as with an invalid regex');
  assert.deepEqual(
    plan.messages.filter((m) => m.level === 'error' && m.line === 1).map((m) => m.text),
    [`***ERROR - regex too expensive (stopped after the time budget): vm-export=${HOSTILE[1]}`],
  );
  assert.deepEqual(plan.vmExport.map((v) => v.name), ['web01']);
  const diagnostics = inventoryDiagnostics(config, inv, plan).filter((d) => d.code === 'VMB034');
  assert.deepEqual(diagnostics.map((d) => [d.range.start.line, d.range.start.character, d.range.end.character, d.severity]), [
    [1, 10, 10 + HOSTILE[1]!.length, 'error'],
    [2, 8, 8 + HOSTILE[0]!.length, 'error'],
  ]);
});

test('a pattern once over budget is not retried while the name it stalled on is in the pool', () => {
  const pattern = '(a|aa)+$';
  const first = matchWithinBudget([job(pattern)], [LONG_A], 50);
  assert.equal(first.get(pattern), 'too-expensive');
  // A budget no run could exhaust on a 41-character name: the verdict comes from memory.
  const again = matchWithinBudget([job(pattern)], ['x', LONG_A], 2 ** 30);
  assert.equal(again.get(pattern), 'too-expensive');
  // Without that name the pattern is matched normally.
  assert.deepEqual(matchWithinBudget([job(pattern)], ['aaaa', 'b'], 50).get(pattern), new Set(['aaaa']));
});

test('the budget comes from VMBACKUP_REGEX_BUDGET_MS when it is a positive integer', () => {
  assert.equal(regexBudgetFromEnv({ VMBACKUP_REGEX_BUDGET_MS: '250' }), 250);
  for (const bad of ['0', '-5', 'abc', '', '1e3']) assert.equal(regexBudgetFromEnv({ VMBACKUP_REGEX_BUDGET_MS: bad }), DEFAULT_REGEX_BUDGET_MS, bad);
  assert.equal(regexBudgetFromEnv({}), DEFAULT_REGEX_BUDGET_MS);
});

test('worker matching: same results, hostile pattern terminated, abort rejects at once', async () => {
  const names = ['web01', LONG_A, 'aaa'];
  const results = await matchInWorker([job('web.*'), job(HOSTILE[0]!), job('a+$')], names, { budgetMs: 50 });
  assert.deepEqual(results.get('web.*'), new Set(['web01']));
  assert.equal(results.get(HOSTILE[0]!), 'too-expensive');
  assert.deepEqual(results.get('a+$'), new Set(['aaa']));
  // An abort while a hostile pattern spins ends the worker at once (no budget wait).
  const controller = new AbortController();
  const pending = matchInWorker([job('(a|a)+$')], [LONG_A], { budgetMs: 2 ** 30, signal: controller.signal, onStart: () => controller.abort(new Error('SIGTERM received')) });
  await assert.rejects(pending, /SIGTERM received/);
});
