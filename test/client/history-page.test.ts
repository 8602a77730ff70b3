// The status log history webview's model and HTML (client/src/historyPage.ts): what the
// charts draw, which nights are clickable, the CSP, escaping, and the page's messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStatusHistory } from 'vmbackup-runner/backup/statusHistory';
import { formatMinutes, historyHtml, historyModel, openRequest } from '../../client/src/historyPage';

const log = [
  '2026/03/01 23:00:00,vmbackup.py,xs1,begin',
  '2026/03/01 23:10:00,vm-export,xs1,end,SUCCESS web,elapse:10 size:4G',
  '2026/03/01 23:10:01,vmbackup.py,xs1,end,SUCCESS,S:1 W:0 E:0',
  '2026/03/02 23:00:00,vmbackup.py,<b>x</b>,begin',
  '2026/03/02 23:20:00,vm-export,xs1,end,VM-EXPORT-FAIL web',
  '2026/03/02 23:30:00,vmbackup.py,xs1,end,ERROR,S:0 W:0 E:1',
  '2026/03/03 23:00:00,vmbackup.py,xs1,begin',
].join('\n');

test('the model: one point per night, failing nights newest first, scales from the largest value', () => {
  const model = historyModel(parseStatusHistory(log));
  assert.deepEqual(
    model.points.map((p) => [p.started, p.durationMinutes, p.sizeGiB, p.failing, p.firstLine, p.lastLine]),
    [
      ['2026/03/01 23:00:00', 10 + 1 / 60, 4, false, 0, 2],
      ['2026/03/02 23:00:00', 30, 0, true, 3, 5],
      ['2026/03/03 23:00:00', undefined, 0, true, 6, 6],
    ],
  );
  assert.deepEqual(
    model.failing.map((p) => p.started),
    ['2026/03/03 23:00:00', '2026/03/02 23:00:00'],
  );
  assert.deepEqual([model.maxDurationMinutes, model.maxSizeGiB, model.maxCount, model.total], [30, 4, 1, 3]);
});

test('the charts show the most recent nights only; the table keeps every failing night', () => {
  const nights = parseStatusHistory(log);
  const model = historyModel(nights, 1);
  assert.deepEqual(
    model.points.map((p) => p.started),
    ['2026/03/03 23:00:00'],
  );
  assert.equal(model.failing.length, 2);
  assert.match(historyHtml(model, { nonce: 'n', source: 's' }), /the last 1 of 3 nights/);
});

test('the page: a strict CSP with one nonce, theme colours, failing nights clickable by their lines', () => {
  const html = historyHtml(historyModel(parseStatusHistory(log)), { nonce: 'abc123', source: '/var/log/st.log' });
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
  assert.equal(csp, "default-src 'none'; style-src 'nonce-abc123'; script-src 'nonce-abc123'; img-src 'none';");
  // Nothing is loaded from anywhere: no src/href attribute at all.
  assert.doesNotMatch(html, /\s(src|href)=/);
  assert.equal(html.match(/<script/g)?.length, 1);
  assert.match(html, /<script nonce="abc123">/);
  assert.match(html, /<style nonce="abc123">/);
  assert.match(html, /var\(--vscode-charts-red\)/);
  // Three charts; two failing nights in each chart and in the table carry their line range.
  assert.equal(html.match(/<svg /g)?.length, 3);
  assert.equal(html.match(/data-first="3" data-last="5"/g)?.length, 4);
  assert.equal(html.match(/data-first="6" data-last="6"/g)?.length, 4);
  assert.doesNotMatch(html, /data-first="0"/);
  assert.match(html, /Nights that need attention \(2\)/);
  assert.match(html, /no end record/);
});

test('an empty log says so; host names and paths are escaped', () => {
  const empty = historyHtml(historyModel([]), { nonce: 'n', source: '/tmp/<x>.log' });
  assert.match(empty, /holds no run yet/);
  assert.match(empty, /\/tmp\/&#60;x&#62;\.log/);
  assert.doesNotMatch(empty, /<x>/);
  const night = parseStatusHistory('2026/03/02 23:00:00,vmbackup.py,"><script>,begin')[0];
  assert.ok(night);
  const html = historyHtml(historyModel([{ ...night, started: '<img>' }]), { nonce: 'n', source: 's' });
  assert.doesNotMatch(html, /<img>/);
});

test('durations read as people say them', () => {
  assert.deepEqual(
    [formatMinutes(undefined), formatMinutes(0.5), formatMinutes(42), formatMinutes(125)],
    ['no end record', '30 s', '42 min', '2 h 5 min'],
  );
});

test('only well-formed open requests from the page are acted on', () => {
  assert.deepEqual(openRequest({ type: 'open', first: 3, last: 5 }), { first: 3, last: 5 });
  for (const bad of [null, 'open', { type: 'run', first: 1, last: 1 }, { type: 'open', first: -1, last: 2 }]) {
    assert.equal(openRequest(bad), undefined);
  }
  assert.equal(openRequest({ type: 'open', first: 5, last: 3 }), undefined);
  assert.equal(openRequest({ type: 'open', first: 1.5, last: 3 }), undefined);
});
