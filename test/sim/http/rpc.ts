// POST /jsonrpc (JSON-RPC 1.0 and 2.0) and XML-RPC on every other POST path, with XAPI's exact
// envelopes and content types: `application/json` with no charset (else xen-api falls back to
// XML-RPC), `text/xml` for XML-RPC, HTTP 200 for API failures.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { callApi, resultType } from '../api/dispatch';
import type { ApiContext } from '../api/context';
import { asFailure } from '../errors';
import { bareResponse, failureResponse, parseMethodCall, successResponse } from '../wire/xmlrpc';

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, contentType: string, body: string): void {
  if (res.destroyed) return;
  res.writeHead(200, {
    'content-type': contentType,
    'access-control-allow-origin': '*',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function sendMalformed(res: ServerResponse, message: string): void {
  const body =
    `<html><body><h1>HTTP 500 internal server error</h1>` +
    `An unexpected error occurred; please wait a while and try again. ` +
    `If the problem persists, please contact your support representative.` +
    `<h1> Additional information </h1>${message}</body></html>`;
  res.writeHead(500, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export async function handleJsonRpc(ctx: ApiContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let request: { jsonrpc?: unknown; method?: unknown; params?: unknown; id?: unknown };
  try {
    request = JSON.parse(await readBody(req));
  } catch {
    return sendMalformed(res, 'Jsonrpc.Malformed_method_request');
  }
  const { id, method } = request;
  const v2 = request.jsonrpc === '2.0';
  const params = request.params ?? [];
  if (
    (typeof id !== 'string' && typeof id !== 'number') ||
    typeof method !== 'string' ||
    !Array.isArray(params) ||
    (!v2 && request.params === undefined)
  ) {
    return sendMalformed(res, 'Jsonrpc.Malformed_method_request');
  }
  let body: string;
  try {
    const { value } = await callApi(ctx, method, params);
    body = v2
      ? JSON.stringify({ jsonrpc: '2.0', result: value, id })
      : JSON.stringify({ result: value, error: null, id });
  } catch (error) {
    const f = asFailure(error);
    body = v2
      ? JSON.stringify({ jsonrpc: '2.0', error: { code: 1, message: f.code, data: f.params }, id })
      : JSON.stringify({ result: null, error: f.description, id });
  }
  send(res, 'application/json', body);
}

export async function handleXmlRpc(ctx: ApiContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let call;
  try {
    call = parseMethodCall(await readBody(req));
  } catch (error) {
    return sendMalformed(res, `Xmlrpc.Parse_error: ${(error as Error).message}`);
  }
  let body: string;
  try {
    const { value, bare } = await callApi(ctx, call.method, call.params);
    const type = resultType(call.method, call.params.length - 1);
    body = bare ? bareResponse(value, type) : successResponse(value, type);
  } catch (error) {
    body = failureResponse(asFailure(error).description);
  }
  send(res, 'text/xml', body);
}
