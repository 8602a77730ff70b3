// Re-parses only the lines an edit touched. The runner's parseConfig stays the only parser:
// it parses the changed lines on their own, and the result is spliced into the previous
// model (line numbers shifted). Typing in a 10,000-line file then allocates a few nodes per
// keystroke instead of rebuilding the whole model, which keeps garbage-collection pauses out
// of the diagnostics latency.
import { parseConfig } from 'vmbackup-runner/config';
import type { LineNode, ParsedConfig } from 'vmbackup-runner/config';

export interface ParsedText {
  text: string;
  config: ParsedConfig;
}

/** Deep copy in which every numeric `line` property is moved by `delta`. */
function shifted<T>(value: T, delta: number): T {
  if (Array.isArray(value)) return value.map((item) => shifted(item, delta)) as T;
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    copy[key] = key === 'line' && typeof inner === 'number' ? inner + delta : shifted(inner, delta);
  }
  return copy as T;
}

export function parseIncrementally(previous: ParsedText | undefined, text: string): ParsedConfig {
  if (!previous || previous.text === text) return previous?.config ?? parseConfig(text);
  const old = previous.text;
  // Lines ending in \r make offsets-to-lines ambiguous at the edit boundary: parse it all.
  if (text.includes('\r') || old.includes('\r') || previous.config.hasBom) return parseConfig(text);
  const common = Math.min(old.length, text.length);
  let prefix = 0;
  while (prefix < common && old.charCodeAt(prefix) === text.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (
    suffix < common - prefix &&
    old.charCodeAt(old.length - 1 - suffix) === text.charCodeAt(text.length - 1 - suffix)
  )
    suffix++;
  const oldEnd = old.length - suffix;

  // Whole old lines [first, last] that contain the changed characters.
  const lines = previous.config.lines;
  let first = -1;
  let last = -1;
  let firstStart = 0;
  let lastEnd = 0;
  for (let i = 0, offset = 0; i < lines.length; i++) {
    const end = offset + lines[i]!.text.length; // offset of this line's '\n' (or of the text end)
    if (first < 0 && prefix <= end) {
      first = i;
      firstStart = offset;
    }
    if (first >= 0 && oldEnd <= end) {
      last = i;
      lastEnd = end;
      break;
    }
    offset = end + 1;
  }
  if (first <= 0 || last < 0) return parseConfig(text); // line 0 may carry a BOM: no shortcut

  const region = text.slice(firstStart, lastEnd + (text.length - old.length));
  const replacement = parseConfig(region).lines.map((node) => shifted(node, first));
  const lineDelta = replacement.length - (last - first + 1);
  const tail = lines.slice(last + 1);
  const merged: LineNode[] = [
    ...lines.slice(0, first),
    ...replacement,
    ...(lineDelta === 0 ? tail : tail.map((node) => shifted(node, lineDelta))),
  ];
  return {
    lines: merged,
    entries: merged.filter((node) => node.kind === 'entry'),
    hasBom: false,
    eol: '\n',
  };
}
