// What a CLI command runs with: parsed parameters, a logged-in session, output channels to the
// thin client and the XenAPI (through the same dispatcher as remote clients, so faults apply).
import type { ApiContext } from '../api/context';
import { callApi } from '../api/dispatch';
import type { SimState, XapiRecord } from '../state';
import { CliUsageError } from './errors';

/** Parameters every command accepts (cli_frontend.ml stdparams) — never record filters. */
export const STD_PARAMS = new Set(['server', 'password', 'port', 'username', 'minimal', 'force', 'multiple', 'all', 'message-priority', 'trace', 'params', 'nossl', 'passwordfile', 'debug', 'debug-on-fail']);

export interface Download {
  /**
   * Path and query on the simulator, e.g. /export?session_id=…&task_id=…&ref=…, or an https
   * URL naming the host (the client then uses its own port).
   */
  path: string;
  /** Output file; "" writes to stdout. */
  file: string;
}

export interface CliContext {
  api: ApiContext;
  state: SimState;
  session: string;
  /** Parameters in command-line order (duplicates keep the last value in get()). */
  params: [string, string][];
  minimal: boolean;
  out(text: string): void;
  err(text: string): void;
  /** Asks the thin client to download `path` into a file (or stdout); resolves with its report. */
  download(d: Download): Promise<'OK' | 'Failed'>;
  /** Asks the thin client to upload `file` to `path` (PUT with its length). */
  upload(u: Download): void;
  /** Prints `prompt` on the client and resolves with the line the user typed. */
  ask(prompt: string): Promise<string>;
  call(method: string, ...args: unknown[]): Promise<unknown>;
  /** Waits until the task leaves `pending`; returns its record. */
  waitTask(task: string): Promise<XapiRecord>;
}

export function get(c: CliContext, name: string): string | undefined {
  let value: string | undefined;
  for (const [k, v] of c.params) if (k === name) value = v;
  return value;
}

export function required(c: CliContext, name: string): string {
  const v = get(c, name);
  if (v === undefined) throw new CliUsageError(`Required parameter not found: ${name}`);
  return v;
}

export function isTrue(c: CliContext, name: string): boolean {
  const v = get(c, name);
  return v !== undefined && ['true', 'yes', 'on', '1'].includes(v.toLowerCase());
}

/** Filters: every parameter other than the standard ones and `own` (the command's parameters). */
export function filtersOf(c: CliContext, own: readonly string[]): [string, string][] {
  return c.params.filter(([k]) => !STD_PARAMS.has(k) && !own.includes(k) && !k.startsWith('database:'));
}

export function makeCall(api: ApiContext, session: string) {
  return async (method: string, ...args: unknown[]) => (await callApi(api, method, [session, ...args])).value;
}
