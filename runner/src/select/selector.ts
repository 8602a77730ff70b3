// The CLI's vm-selector mode: argument 2 is not a file but `NAME-OR-REGEX` (vm-export),
// `vm-export=X` or `vdi-export=X`. With a selector every setting takes its default.

import { parseConfig } from '../config/parse';
import type { ParsedConfig } from '../config/types';

export type SelectorResult =
  | { ok: true; config: ParsedConfig; key: 'vm-export' | 'vdi-export'; value: string }
  | { ok: false; error: string };

/** Turns a vm-selector argument into the one-line config the original effectively runs. */
export function selectorToConfig(selector: string): SelectorResult {
  if (/[\r\n]/.test(selector))
    return { ok: false, error: `invalid vm-selector (contains a line break): ${JSON.stringify(selector)}` };
  const eq = selector.indexOf('=');
  let key: 'vm-export' | 'vdi-export' = 'vm-export';
  let value = selector;
  if (eq !== -1) {
    const written = selector.slice(0, eq);
    value = selector.slice(eq + 1);
    if (written !== 'vm-export' && written !== 'vdi-export') {
      return {
        ok: false,
        error:
          `invalid vm-selector key '${written}': use NAME-OR-REGEX, vm-export=NAME-OR-REGEX or ` +
          'vdi-export=NAME-OR-REGEX',
      };
    }
    key = written;
    if (value.includes('=')) return { ok: false, error: `invalid vm-selector (more than one '='): ${selector}` };
  }
  const config = parseConfig(`${key}=${value}`);
  return { ok: true, config, key, value: config.entries[0]?.value ?? '' };
}
