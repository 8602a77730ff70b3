// POST /cli: the server half of the `xe` command, like XAPI's thin-CLI protocol
// (ocaml/xapi-cli-server): the client sends its arguments, the server runs the command against
// the pool and streams back newline-delimited JSON messages —
//   {"out": text} / {"err": text}  print exactly this on stdout / stderr
//   {"download": {path, file, diskFullAfterBytes}}  fetch path from this server into file
//                                   ("" = stdout), created O_EXCL mode 0600
//   {"upload": {path, file}}        PUT the file's bytes (with their length) to path
//   {"ask": {prompt, token}}        print prompt, read a line from stdin and POST it to
//                                   /cli/answer as {token, answer}
//   {"exit": code}                  the command's exit status
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiContext } from '../api/context';
import { callApi } from '../api/dispatch';
import { XapiFailure } from '../errors';
import { readBody } from '../http/rpc';
import type { XapiRecord } from '../state';
import { makeCall, type CliContext } from './context';
import {
  CliFailure,
  CliUsageError,
  CommandFailure,
  ExitWithError,
  formatCommandFailure,
  formatFailure,
  USAGE_HINT,
} from './errors';
import { listCommand, paramGetCommand, paramListCommand, paramSetCommand } from './list-commands';
import {
  poolDumpDatabase,
  snapshotUninstall,
  templateUninstall,
  vdiDestroy,
  vdiExport,
  vdiSnapshot,
  vmExport,
  vmImport,
  vmSnapshot,
  vmUninstall,
} from './vm-commands';
import { vbdCreate, vdiCreate, vdiImport, vifCreate, vmShutdown, vmStart } from './restore-commands';

type Command = (c: CliContext) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  'vm-snapshot': vmSnapshot,
  'vm-export': vmExport,
  'vm-import': vmImport,
  'vm-uninstall': vmUninstall,
  'template-uninstall': templateUninstall,
  'snapshot-uninstall': snapshotUninstall,
  'vdi-snapshot': vdiSnapshot,
  'vdi-export': vdiExport,
  'vdi-destroy': vdiDestroy,
  'pool-dump-database': poolDumpDatabase,
  'vdi-create': vdiCreate,
  'vdi-import': vdiImport,
  'vbd-create': vbdCreate,
  'vif-create': vifCreate,
  'vm-start': vmStart,
  'vm-shutdown': vmShutdown,
};
for (const cls of ['vm', 'template', 'snapshot', 'vdi', 'vbd', 'vif', 'network', 'sr', 'pool', 'host']) {
  COMMANDS[`${cls}-list`] = listCommand(cls);
  COMMANDS[`${cls}-param-list`] = paramListCommand(cls);
  COMMANDS[`${cls}-param-get`] = paramGetCommand(cls);
  COMMANDS[`${cls}-param-set`] = paramSetCommand(cls);
}

export const CLI_COMMANDS = Object.keys(COMMANDS).sort();

/**
 * cli_frontend.ml parse_params_2: `--flag` → flag=true, otherwise split at the first `=`; a
 * word without `=` is a parameter with an empty value (a value that held a newline arrives as
 * two lines, so its second part becomes such a parameter).
 */
export function parseParams(args: readonly string[]): [string, string][] {
  return args.map((a): [string, string] => {
    if (a.startsWith('--')) return [a.slice(2), 'true'];
    const eq = a.indexOf('=');
    return eq < 0 ? [a, ''] : [a.slice(0, eq), a.slice(eq + 1)];
  });
}

/**
 * xapi_cli.ml parse_session_and_args: the body is one argument per line ("\n"), each line's
 * trailing "\r" removed (zap_cr); username= and password= are among them.
 */
export function splitCliBody(body: string): string[] {
  return body.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
}

/** Questions waiting for the user's answer (vm-uninstall without force=true), by token. */
const pendingAnswers = new Map<string, (answer: string) => void>();

export async function handleCliAnswer(req: IncomingMessage, res: ServerResponse): Promise<void> {
  let body: { token?: unknown; answer?: unknown } = {};
  try {
    body = JSON.parse(await readBody(req));
  } catch {
    // answered below as an unknown token
  }
  const resolve = typeof body.token === 'string' ? pendingAnswers.get(body.token) : undefined;
  if (!resolve) {
    res.writeHead(404).end();
    return;
  }
  pendingAnswers.delete(body.token as string);
  resolve(String(body.answer ?? ''));
  res.writeHead(204).end();
}

function ask(api: ApiContext, send: (m: object) => void, prompt: string): Promise<string> {
  const token = randomUUID();
  return new Promise((resolve) => {
    const done = (answer: string) => {
      api.signal?.removeEventListener('abort', onAbort);
      resolve(answer);
    };
    const onAbort = () => {
      pendingAnswers.delete(token);
      resolve('');
    };
    pendingAnswers.set(token, done);
    api.signal?.addEventListener('abort', onAbort, { once: true });
    send({ ask: { prompt, token } });
  });
}

/** Polls the task through the API like the real CLI, so an expired session shows up here. */
async function waitTask(api: ApiContext, session: string, task: string): Promise<XapiRecord> {
  for (;;) {
    // Read before the status: the handler may complete the task while the call is in flight,
    // and that change must end the wait at once (it used to cost a whole second).
    const seen = api.state.generation;
    const status = (await callApi(api, 'task.get_status', [session, task])).value;
    if (status !== 'pending') return api.state.get('task', task)!;
    if (api.signal?.aborted) throw new XapiFailure('TASK_CANCELLED', [task]);
    await api.state.waitForChange(api.cliTaskPollMs ?? 1000, api.signal, seen);
  }
}

export async function handleCli(api: ApiContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const lines = splitCliBody(await readBody(req));
  // The thin client appends username= and password=; the last of each wins, as in get_params.
  const credentials: { username?: string; password?: string } = {};
  const args: string[] = [];
  for (const line of lines) {
    if (line.startsWith('username=')) credentials.username = line.slice('username='.length);
    else if (line.startsWith('password=')) credentials.password = line.slice('password='.length);
    else args.push(line);
  }
  res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-cache' });
  const send = (msg: object) => {
    if (!res.destroyed) res.write(JSON.stringify(msg) + '\n');
  };
  const code = await run(api, args, credentials, send);
  send({ exit: code });
  res.end();
}

async function run(
  api: ApiContext,
  args: string[],
  request: { username?: unknown; password?: unknown },
  send: (m: object) => void,
): Promise<number> {
  const err = (text: string) => send({ err: text });
  // The command is the first argument that is neither a --flag nor key=value (xe --minimal vm-list).
  const at = args.findIndex((a) => !a.startsWith('--') && !a.includes('='));
  const name = at >= 0 ? args[at] : undefined;
  const rest = args.filter((_, i) => i !== at);
  if (name === undefined || name === 'help') {
    send({
      out:
        `Usage: xe <cmd> [-s server] [-p port] ` +
        `([-u username] [-pw password] or [-pwf <password file>]) <other arguments>\n\n` +
        `Commands: ${CLI_COMMANDS.join(', ')}\n`,
    });
    return 0;
  }
  let params: [string, string][];
  try {
    params = parseParams(rest);
  } catch (error) {
    err(`${(error as Error).message}\n${USAGE_HINT}`);
    return 1;
  }
  const command = COMMANDS[name];
  if (!command) {
    err(`Unknown command: ${name}\n${USAGE_HINT}`);
    return 1;
  }
  let session: string;
  try {
    session = (
      await callApi(api, 'session.login_with_password', [
        String(request.username ?? ''),
        String(request.password ?? ''),
        '1.0',
        'xe',
      ])
    ).value as string;
  } catch (error) {
    if (error instanceof XapiFailure && error.code === 'SESSION_AUTHENTICATION_FAILED') {
      err(`Authentication failed\n${USAGE_HINT}`);
    } else {
      err(error instanceof XapiFailure ? formatFailure(api.state, error) : `${(error as Error).message}\n`);
    }
    return 1;
  }
  const minimal = params.some(([k, v]) => k === 'minimal' && v === 'true');
  const c: CliContext = {
    api,
    state: api.state,
    session,
    params: params.filter(([k]) => k !== 'minimal'),
    minimal,
    out: (text) => send({ out: text }),
    err,
    download: (d) => {
      // The client's "Response OK / Failed" for this download comes back as an answer.
      const token = randomUUID();
      const response = new Promise<string>((resolve) => {
        pendingAnswers.set(token, resolve);
        api.signal?.addEventListener('abort', () => resolve('Failed'), { once: true });
      });
      send({ download: { ...d, token, diskFullAfterBytes: api.faults.outputDiskFullAfterBytes } });
      return response.finally(() => pendingAnswers.delete(token)) as Promise<'OK' | 'Failed'>;
    },
    upload: (u) => send({ upload: u }),
    ask: (prompt) => ask(api, send, prompt),
    call: makeCall(api, session),
    waitTask: (task) => waitTask(api, session, task),
  };
  try {
    return await command(c);
  } catch (error) {
    if (error instanceof ExitWithError) return error.code;
    if (error instanceof XapiFailure) err(formatFailure(api.state, error));
    else if (error instanceof CliUsageError) err(`${error.message}\n${USAGE_HINT}`);
    else if (error instanceof CommandFailure) err(formatCommandFailure(error.message));
    else if (error instanceof CliFailure) err(`Error: ${error.message}\n`);
    else err(formatCommandFailure((error as Error).message));
    return 1;
  } finally {
    if (api.state.has('session', session)) api.state.destroy('session', session);
  }
}
