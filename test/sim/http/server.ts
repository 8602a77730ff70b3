// The simulator's HTTP(S) listener: routes XAPI's endpoints (ocaml/libs/http-lib dispatch by
// method and longest path prefix), the thin-CLI endpoint the `xe` command uses, and the
// /_sim control endpoints for faults. The XAPI-down fault resets every other connection.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { ApiContext } from '../api/context';
import { handleCli, handleCliAnswer } from '../cli/endpoint';
import { handleExport, handleExportMetadata, handleExportRawVdi, handleXmlDbDump, type HttpCall } from './handlers';
import { handleImport } from './import';
import { handleJsonRpc, handleXmlRpc, readBody } from './rpc';

export interface ControlHooks {
  /** POST /_sim/faults with a JSON body: fault settings plus actions. */
  control(body: unknown, from: Socket): unknown;
  status(): unknown;
  /** GET (undefined) or POST /_sim/timing: changes the timing model, returns its settings. */
  timing(body: unknown): unknown;
}

export interface Listener {
  server: Server;
  sockets: Set<Socket>;
  aborter: AbortController;
}

function matches(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(prefix + '/');
}

async function route(ctx: ApiContext, hooks: ControlHooks, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const path = url.pathname;
  if (path.startsWith('/_sim/')) {
    if (path === '/_sim/faults' && req.method === 'POST') {
      let answer: unknown;
      try {
        const text = await readBody(req);
        answer = hooks.control(text.trim() === '' ? {} : JSON.parse(text), req.socket);
      } catch (error) {
        res.writeHead(400, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ error: (error as Error).message }));
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify(answer));
    }
    if (path === '/_sim/timing' && (req.method === 'POST' || req.method === 'GET')) {
      let answer: unknown;
      try {
        const text = req.method === 'POST' ? await readBody(req) : '';
        answer = hooks.timing(text.trim() === '' ? undefined : JSON.parse(text));
      } catch (error) {
        res.writeHead(400, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ error: (error as Error).message }));
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify(answer));
    }
    if (path === '/_sim/faults' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify(hooks.status()));
    }
    res.writeHead(404).end();
    return;
  }
  if (ctx.faults.xapiDown) {
    req.socket.destroy();
    return;
  }
  const signal = AbortSignal.any([ctx.signal ?? new AbortController().signal, abortOnClose(res)]);
  const call: HttpCall = { ctx: { ...ctx, signal }, req, res, query: url.searchParams };
  if (req.method === 'OPTIONS') {
    res.writeHead(200, { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'content-type', 'access-control-allow-methods': 'POST, GET, OPTIONS' });
    return void res.end();
  }
  if (req.method === 'POST') {
    if (path === '/jsonrpc') return handleJsonRpc(call.ctx, req, res);
    if (path === '/cli') return handleCli(call.ctx, req, res);
    if (path === '/cli/answer') return handleCliAnswer(req, res);
    return handleXmlRpc(call.ctx, req, res);
  }
  if (req.method === 'GET' || req.method === 'HEAD') {
    if (ctx.slaveOf !== undefined) {
      const scheme = 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http';
      res.writeHead(302, { location: `${scheme}://${ctx.slaveOf}:${req.socket.localPort}${req.url}` });
      return void res.end();
    }
    if (matches(path, '/export')) return handleExport(call);
    if (matches(path, '/export_metadata')) return handleExportMetadata(call);
    if (matches(path, '/export_raw_vdi')) return handleExportRawVdi(call);
    if (matches(path, '/pool/xmldbdump')) return handleXmlDbDump(call);
  }
  if (req.method === 'PUT' && matches(path, '/import')) return handleImport(call);
  res.writeHead(404, 'Not Found', { 'content-type': 'text/html' });
  res.end('<html><body><h1>HTTP 404 not found</h1></body></html>');
}

function abortOnClose(res: ServerResponse): AbortSignal {
  const c = new AbortController();
  res.once('close', () => c.abort());
  return c.signal;
}

export function createListener(
  ctx: ApiContext,
  hooks: ControlHooks,
  tls?: { key: string; cert: string },
): Listener {
  const sockets = new Set<Socket>();
  // The aborter is replaced after the XAPI-down fault aborted it, hence read through `listener`.
  const listener = { sockets, aborter: new AbortController() } as Omit<Listener, 'server'> & { server?: Server };
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    route({ ...ctx, signal: listener.aborter.signal }, hooks, req, res).catch((error) => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String((error as Error).message));
      } else {
        res.destroy();
      }
    });
  };
  const server = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, handler) : createHttpServer(handler);
  server.keepAliveTimeout = 5000;
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  listener.server = server;
  return listener as Listener;
}
