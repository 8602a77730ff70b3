// The language status item's text for each pool status: short enough for its popup, the right
// action (Re-enter Password after a rejected password, not Retry), "not configured" rather
// than "No password yet" without a URL, and a word about Restricted Mode ignoring the
// workspace's pool URL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeStatus, MAX_DETAIL_LENGTH, shortDetail } from '../../client/src/poolStatusView';
import type { PoolStatus } from '../../server/src/protocol';

const trusted = { trusted: true };
const status = (s: Partial<PoolStatus>): PoolStatus => ({
  state: 'disconnected',
  vmCount: 0,
  message: '',
  url: 'https://xen1',
  ...s,
});

test('no pool URL: "not configured" with Configure, never "No password yet"', () => {
  const view = describeStatus(
    status({ url: '', message: 'No password yet: run "VmBackup: Set Pool Password".' }),
    trusted,
  );
  assert.equal(view.text, '$(debug-disconnect) Pool: not configured');
  assert.equal(view.detail, 'No pool URL: set vmbackup.pool.url');
  assert.equal(view.command.command, 'workbench.action.openSettings');
});

test('in Restricted Mode without a URL the status says the workspace URL is ignored', () => {
  const view = describeStatus(status({ url: '' }), { trusted: false });
  assert.match(view.detail, /Restricted Mode: pool URL from workspace ignored/);
  assert.equal(view.command.command, 'workbench.trust.manage');
});

test('a rejected password offers Re-enter Password, live or with a cached inventory', () => {
  const error = describeStatus(
    status({ state: 'error', message: 'The pool rejected the user name or password.' }),
    trusted,
  );
  assert.equal(error.text, '$(error) Pool: password rejected');
  assert.deepEqual(error.command, { title: 'Re-enter Password', command: 'vmbackup.setPoolPassword' });
  const stale = describeStatus(
    status({
      state: 'stale',
      vmCount: 8,
      message: 'The pool rejected the user name or password. Showing the VMs as of 2026-12-01T10:00:00.000Z.',
    }),
    trusted,
  );
  assert.equal(stale.command.title, 'Re-enter Password');
  assert.equal(stale.detail, 'The pool rejected the password.');
});

test('a refused connection is "cannot reach", with Retry', () => {
  const view = describeStatus(
    status({ state: 'error', url: 'http://127.0.0.1:9', message: 'fetch failed (connect ECONNREFUSED 127.0.0.1:9)' }),
    trusted,
  );
  assert.match(view.detail, /^Cannot reach the pool at http:\/\/127\.0\.0\.1:9/);
  assert.ok(view.detail.length <= MAX_DETAIL_LENGTH, view.detail);
  assert.equal(view.command.title, 'Retry');
});

test('a schemeless URL shows "invalid URL" instead of what TLS made of it', () => {
  const view = describeStatus(
    status({
      state: 'error',
      url: 'xen1.example.org',
      message: 'C0B7D1F0A07F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number',
    }),
    trusted,
  );
  assert.equal(view.text, '$(error) Pool: invalid URL');
  assert.match(view.detail, /^vmbackup\.pool\.url "xen1\.example\.org" has no scheme/);
  assert.doesNotMatch(view.detail, /SSL routines/);
});

test('with a URL and no password the action is Set Password', () => {
  const view = describeStatus(status({ message: 'No password yet: run "VmBackup: Set Pool Password".' }), trusted);
  assert.equal(view.detail, 'No password yet');
  assert.equal(view.command.command, 'vmbackup.setPoolPassword');
});

test('every detail fits the popup: one sentence, cut at a word', () => {
  const long = 'Connected to pool Production Cluster North With A Very Long Name as root (4212 VMs). Cached at 10:00.';
  const detail = describeStatus(status({ state: 'connected', vmCount: 4212, message: long }), trusted).detail;
  assert.ok(detail.length <= MAX_DETAIL_LENGTH, detail);
  assert.match(detail, /…$/);
  assert.equal(shortDetail('Short. Second sentence.'), 'Short.');
  for (const state of ['connected', 'connecting', 'stale', 'error', 'disconnected'] as const) {
    const view = describeStatus(status({ state, message: `${'word '.repeat(40)}end.` }), trusted);
    assert.ok(view.detail.length <= MAX_DETAIL_LENGTH, `${state}: ${view.detail}`);
  }
});
