// The status log history page (a webview): the nights of the status log as three small inline
// SVG charts (duration, size, S/W/E counts) and a table of the nights that need attention,
// each a button that opens the status log at that night's lines. Pure (no `vscode` import):
// the page model and its HTML are unit-tested. The page loads nothing: styles and the one
// script are inline under a nonce, the CSP allows nothing else, colours are the theme's.
import type { Night } from 'vmbackup-runner/backup/statusHistory';

/** The most recent nights drawn in the charts (all failing nights stay in the table). */
export const CHART_NIGHTS = 60;

export interface NightPoint {
  index: number;
  started: string;
  durationMinutes: number | undefined;
  sizeGiB: number;
  success: number;
  warning: number;
  error: number;
  status: Night['status'];
  failing: boolean;
  firstLine: number;
  lastLine: number;
}

export interface HistoryModel {
  points: NightPoint[];
  failing: NightPoint[];
  maxDurationMinutes: number;
  maxSizeGiB: number;
  maxCount: number;
  total: number;
}

export function historyModel(nights: readonly Night[], limit = CHART_NIGHTS): HistoryModel {
  const all = nights.map(
    (night, index): NightPoint => ({
      index,
      started: night.started,
      durationMinutes: night.durationSeconds === undefined ? undefined : night.durationSeconds / 60,
      sizeGiB: night.sizeGiB,
      success: night.success,
      warning: night.warning,
      error: night.error,
      status: night.status,
      failing: night.status !== 'SUCCESS',
      firstLine: night.firstLine,
      lastLine: night.lastLine,
    }),
  );
  const points = all.slice(-limit);
  return {
    points,
    failing: all.filter((p) => p.failing).reverse(),
    maxDurationMinutes: Math.max(1, ...points.map((p) => p.durationMinutes ?? 0)),
    maxSizeGiB: Math.max(1, ...points.map((p) => p.sizeGiB)),
    maxCount: Math.max(1, ...points.map((p) => p.success + p.warning + p.error)),
    total: nights.length,
  };
}

/** Text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function formatMinutes(minutes: number | undefined): string {
  if (minutes === undefined) return 'no end record';
  if (minutes < 1) return `${Math.round(minutes * 60)} s`;
  const h = Math.floor(minutes / 60);
  const m = Math.round(minutes % 60);
  return h > 0 ? `${h} h ${m} min` : `${m} min`;
}

const WIDTH = 600;
const HEIGHT = 80;

interface Segment {
  value: number;
  cssClass: string;
}

function chart(title: string, model: HistoryModel, max: number, segments: (p: NightPoint) => Segment[]): string {
  const step = WIDTH / Math.max(1, model.points.length);
  const barWidth = Math.max(1, step * 0.8);
  const bars = model.points.map((p, i) => {
    let y = HEIGHT;
    const rects = segments(p).map((s) => {
      const h = (s.value / max) * HEIGHT;
      y -= h;
      return `<rect class="${s.cssClass}" x="${(i * step).toFixed(1)}" y="${y.toFixed(1)}" width="${barWidth.toFixed(
        1,
      )}" height="${h.toFixed(1)}"/>`;
    });
    const label = `${p.started} ${p.status}: ${formatMinutes(p.durationMinutes)}, ${p.sizeGiB} GiB, S:${p.success} W:${
      p.warning
    } E:${p.error}`;
    const open = p.failing ? ` class="night failing" data-first="${p.firstLine}" data-last="${p.lastLine}"` : '';
    return `<g${open}><title>${escapeHtml(label)}</title>${rects.join('')}</g>`;
  });
  return (
    `<section><h2>${escapeHtml(title)}</h2>` +
    `<svg role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${WIDTH} ${HEIGHT}" ` +
    `preserveAspectRatio="none">${bars.join('')}</svg></section>`
  );
}

const STYLE = `
body { color: var(--vscode-foreground); background: var(--vscode-editor-background);
  font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); }
h2 { font-size: 1em; margin: 1em 0 0.3em; }
svg { width: 100%; height: 80px; background: var(--vscode-editorWidget-background); }
.duration { fill: var(--vscode-charts-blue); }
.size { fill: var(--vscode-charts-purple); }
.s { fill: var(--vscode-charts-green); }
.w { fill: var(--vscode-charts-yellow); }
.e { fill: var(--vscode-charts-red); }
.failing { cursor: pointer; }
.failing rect { stroke: var(--vscode-charts-red); stroke-width: 1; }
table { border-collapse: collapse; margin-top: 0.5em; }
td, th { padding: 2px 8px; text-align: left; }
button { color: var(--vscode-textLink-foreground); background: none; border: none; cursor: pointer;
  font: inherit; padding: 0; text-decoration: underline; }
button:focus { outline: 1px solid var(--vscode-focusBorder); }
`;

const SCRIPT = `
const vscode = acquireVsCodeApi();
for (const el of document.querySelectorAll('[data-first]')) {
  el.addEventListener('click', () =>
    vscode.postMessage({ type: 'open', first: Number(el.dataset.first), last: Number(el.dataset.last) }));
}
`;

/** The whole page. `nonce` authorizes the inline style and script; `source` names the log in the title. */
export function historyHtml(model: HistoryModel, options: { nonce: string; source: string }): string {
  const nonce = escapeHtml(options.nonce);
  const csp = `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; img-src 'none';`;
  const shown = model.total > model.points.length ? ` (the last ${model.points.length} of ${model.total} nights)` : '';
  const body =
    model.total === 0
      ? '<p>The status log holds no run yet: it is written by the backup runs of this config.</p>'
      : chart('Duration', model, model.maxDurationMinutes, (p) => [
          { value: p.durationMinutes ?? 0, cssClass: 'duration' },
        ]) +
        chart('Size (GiB)', model, model.maxSizeGiB, (p) => [{ value: p.sizeGiB, cssClass: 'size' }]) +
        chart('Success / Warning / Error', model, model.maxCount, (p) => [
          { value: p.success, cssClass: 's' },
          { value: p.warning, cssClass: 'w' },
          { value: p.error, cssClass: 'e' },
        ]) +
        failingTable(model);
  return [
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    `<title>Status log history</title><style nonce="${nonce}">${STYLE}</style></head><body>`,
    `<h1>Status log history${escapeHtml(shown)}</h1><p>${escapeHtml(options.source)}</p>`,
    body,
    `<script nonce="${nonce}">${SCRIPT}</script></body></html>`,
  ].join('\n');
}

function failingTable(model: HistoryModel): string {
  if (model.failing.length === 0) return '<h2>Nights that need attention</h2><p>None: every night succeeded.</p>';
  const rows = model.failing.map(
    (p) =>
      `<tr><td><button data-first="${p.firstLine}" data-last="${p.lastLine}">${escapeHtml(p.started)}</button></td>` +
      `<td>${p.status}</td><td>S:${p.success} W:${p.warning} E:${p.error}</td>` +
      `<td>${escapeHtml(formatMinutes(p.durationMinutes))}</td><td>${p.sizeGiB} GiB</td></tr>`,
  );
  return (
    `<h2>Nights that need attention (${model.failing.length})</h2><table>` +
    '<tr><th>Started</th><th>Status</th><th>Counts</th><th>Duration</th><th>Size</th></tr>' +
    `${rows.join('')}</table>`
  );
}

/** A message from the page: open the status log at these lines. Anything else is ignored. */
export function openRequest(message: unknown): { first: number; last: number } | undefined {
  if (message === null || typeof message !== 'object') return undefined;
  const { type, first, last } = message as { type?: unknown; first?: unknown; last?: unknown };
  if (type !== 'open' || !Number.isInteger(first) || !Number.isInteger(last)) return undefined;
  const a = first as number;
  const b = last as number;
  return a >= 0 && b >= a ? { first: a, last: b } : undefined;
}
