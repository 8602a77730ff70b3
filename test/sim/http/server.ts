// The simulator's HTTP(S) listener: routes XAPI's endpoints (ocaml/libs/http-lib dispatch by
// method and longest path prefix), the thin-CLI endpoint the `xe` command uses, and the
// /_sim control endpoints for faults. The XAPI-down fault resets every other connection.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import type { ApiContext } from '../api/context';
import { handleCli, handleCliAnswer } from '../cli/endpoint';
import { handleExport, handleExportMetadata, handleExportRawVdi, handleXmlDbDump, type HttpCall } from './handlers';
import { handleImport, handleImportMetadata } from './import';
import { handleImportRawVdi } from './import-raw';
import { handleJsonRpc, handleXmlRpc, readBody } from './rpc';
import { hostForSr, hostForVdiExport, hostForVmExport, poolMaster, redirectUrl } from './placement';

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
  const call: HttpCall = { ctx: { ...roleOf(ctx), signal }, req, res, query: url.searchParams };
  const download = req.method === 'GET' || req.method === 'HEAD';
  const redirect = download
    ? exportRedirect(ctx, path, url.searchParams)
    : req.method === 'PUT'
      ? importRedirect(ctx, path, url.searchParams)
      : undefined;
  if (redirect !== undefined) {
    res.writeHead(302, { location: redirectUrl(ctx.state, redirect, req.url ?? '/') });
    return void res.end();
  }
  if (req.method === 'OPTIONS') {
    res.writeHead(200, {
      'access-control-allow-origin': '*',
      'access-control-allow-headers': 'content-type',
      'access-control-allow-methods': 'POST, GET, OPTIONS',
    });
    return void res.end();
  }
  if (req.method === 'POST') {
    if (path === '/jsonrpc') return handleJsonRpc(call.ctx, req, res);
    if (path === '/cli') return handleCli(call.ctx, req, res);
    if (path === '/cli/answer') return handleCliAnswer(req, res);
    return handleXmlRpc(call.ctx, req, res);
  }
  if (req.method === 'GET' || req.method === 'HEAD') {
    const slaveOf = call.ctx.slaveOf;
    const servesHere = ctx.hostRef !== undefined && (matches(path, '/export') || matches(path, '/export_raw_vdi'));
    if (slaveOf !== undefined && !servesHere) {
      const scheme = 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http';
      res.writeHead(302, { location: `${scheme}://${slaveOf}:${req.socket.localPort}${req.url}` });
      return void res.end();
    }
    if (matches(path, '/export')) return handleExport(call);
    if (matches(path, '/export_metadata')) return handleExportMetadata(call);
    if (matches(path, '/export_raw_vdi')) return handleExportRawVdi(call);
    if (matches(path, '/pool/xmldbdump')) return handleXmlDbDump(call);
  }
  if (req.method === 'PUT' && matches(path, '/import')) return handleImport(call);
  if (req.method === 'PUT' && matches(path, '/import_metadata')) return handleImportMetadata(call);
  if (req.method === 'PUT' && matches(path, '/import_raw_vdi')) return handleImportRawVdi(call);
  res.writeHead(404, 'Not Found', { 'content-type': 'text/html' });
  res.end('<html><body><h1>HTTP 404 not found</h1></body></html>');
}

/**
 * A host's endpoint is the master or a member by the pool record (so a master change is seen at
 * once): a member answers API calls with HOST_IS_SLAVE [master address].
 */
function roleOf(ctx: ApiContext): ApiContext {
  if (ctx.hostRef === undefined) return ctx;
  const master = poolMaster(ctx.state);
  if (master === ctx.hostRef) return { ...ctx, slaveOf: undefined };
  return { ...ctx, slaveOf: String(ctx.state.get('host', master)?.address ?? ctx.masterAddress) };
}

/** The host an /export or /export_raw_vdi must be fetched from instead (placement.ts), if any. */
function exportRedirect(ctx: ApiContext, path: string, query: URLSearchParams): string | undefined {
  if (ctx.hostRef === undefined) return undefined;
  const { state } = ctx;
  if (matches(path, '/export')) {
    const ref = query.get('ref');
    const vm = ref && state.has('VM', ref) ? ref : state.findByUuid('VM', query.get('uuid') ?? '');
    return vm ? hostForVmExport(state, ctx.hostRef, vm) : undefined;
  }
  if (matches(path, '/export_raw_vdi')) {
    const id = query.get('vdi') ?? '';
    const vdi = state.has('VDI', id) ? id : state.findByUuid('VDI', id);
    return vdi ? hostForVdiExport(state, ctx.hostRef, vdi) : undefined;
  }
  return undefined;
}

/**
 * The host a PUT /import or /import_raw_vdi must be sent to instead (import.ml handler,
 * import_raw_vdi.ml import: check_sr_availability / find_host_for_sr), answered before the body
 * is read: the SR of sr_id/sr_uuid (else the pool's default SR), or of the `vdi=` written into.
 */
function importRedirect(ctx: ApiContext, path: string, query: URLSearchParams): string | undefined {
  if (ctx.hostRef === undefined) return undefined;
  const { state } = ctx;
  const vdiId = query.get('vdi') ?? '';
  const vdi = state.has('VDI', vdiId) ? vdiId : state.findByUuid('VDI', vdiId);
  const named = query.get('sr_id') ?? state.findByUuid('SR', query.get('sr_uuid') ?? '');
  if (matches(path, '/import_raw_vdi')) {
    const sr = vdi ? String(state.get('VDI', vdi)!.SR) : named;
    return sr && state.has('SR', sr) ? hostForSr(state, ctx.hostRef, sr) : undefined;
  }
  if (matches(path, '/import')) {
    const sr = named ?? String(state.entries('pool')[0]?.[1].default_SR ?? '');
    return sr && state.has('SR', sr) ? hostForSr(state, ctx.hostRef, sr) : undefined;
  }
  return undefined;
}

function abortOnClose(res: ServerResponse): AbortSignal {
  const c = new AbortController();
  res.once('close', () => c.abort());
  return c.signal;
}

/**
 * One port for both schemes when `tls` is given: a connection whose first byte is a TLS
 * handshake goes to the https server, any other to the plain one — a real host answers on
 * 443 and 80, and the real xe never uses TLS towards 127.0.0.1 (newcli.ml with_open_tcp).
 */
export function createListener(ctx: ApiContext, hooks: ControlHooks, tls?: { key: string; cert: string }): Listener {
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
  const plain = createHttpServer(handler);
  const secure = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, handler) : undefined;
  for (const server of [plain, secure]) {
    if (!server) continue;
    server.keepAliveTimeout = 5000;
    server.requestTimeout = 0;
    server.headersTimeout = 60_000;
  }
  const server = createNetServer((socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    if (unreachable(ctx)) return void socket.destroy();
    if (!secure) return void plain.emit('connection', socket);
    socket.once('data', (first: Buffer) => {
      socket.pause();
      socket.unshift(first);
      (first[0] === 0x16 ? secure : plain).emit('connection', socket);
      process.nextTick(() => socket.resume());
    });
    socket.on('error', () => socket.destroy());
  });
  listener.server = server;
  return listener as Listener;
}

/** The unreachableHosts fault: this host's endpoint drops every connection. */
function unreachable(ctx: ApiContext): boolean {
  if (ctx.hostRef === undefined || ctx.faults.unreachableHosts.length === 0) return false;
  return ctx.faults.unreachableHosts.includes(String(ctx.state.get('host', ctx.hostRef)?.name_label));
}
