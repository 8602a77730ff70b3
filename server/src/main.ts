// The language server's process entry point (dist/server.js): LSP over stdio, or whatever
// transport the client names on the command line (--stdio, --node-ipc, --socket=N).
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

startServer(createConnection(ProposedFeatures.all));
