// The language server's process entry point (dist/server.js): LSP over stdio, or whatever
// transport the client names on the command line (--stdio, --node-ipc, --socket=N).
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { regexBudgetFromEnv, setRegexBudget } from 'vmbackup-runner/select';
import { startServer } from './server';

setRegexBudget(regexBudgetFromEnv(process.env));
startServer(createConnection(ProposedFeatures.all));
