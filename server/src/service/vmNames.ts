// How to write a VM name in a selection so that it selects exactly that VM. VM names are
// hostile input: they may contain regex characters, ':' (which the original splits a selection
// on), '=' (which breaks the line), or blanks at the edges (which the original strips).
import { escapeLiteral, isPlainName } from 'vmbackup-runner/config';

const HEX = (c: string) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;

/** Plain names that can be written on a config line as they are (no tabs, newlines, edge blanks). */
const WRITABLE_PLAIN = /^[A-Za-z0-9_-](?:[A-Za-z0-9_ -]*[A-Za-z0-9_-])?$/;

export function selectorForVm(name: string): string {
  if (WRITABLE_PLAIN.test(name) && isPlainName(name)) return name;
  // A plain-looking name with edge blanks or any other character becomes an anchored regex.
  let escaped = escapeLiteral(name).replace(/[:=#\x00-\x1f\x7f]/g, HEX);
  escaped = escaped.replace(/^[ ]+/, (blanks) => blanks.replace(/ /g, '\\x20'));
  escaped = escaped.replace(/[ ]+$/, (blanks) => blanks.replace(/ /g, '\\x20'));
  return `${escaped}$`;
}

/** Human size: 21474836480 -> "20 GiB". */
export function formatSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 || unit === 0 ? Math.round(value) : Math.round(value * 10) / 10} ${units[unit]}`;
}

/** Markdown inline code that survives backticks in hostile names. */
export function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') || text === '' ? ' ' : '';
  return `${fence}${pad}${text.replace(/[\r\n]+/g, '⏎')}${pad}${fence}`;
}
