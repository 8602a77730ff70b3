// The language client, in its own bundle (dist/languageClient.js): vscode-languageclient is
// most of the extension's code, so it is loaded only when the first vmbackup document opens —
// not while VS Code activates the extension (for example only to check some other `.cfg`).
import type * as vscode from 'vscode';
import { CompletionList, CompletionTriggerKind } from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import type { VmbackupInitializationOptions } from '../../server/src/protocol';
import { guardCompletions, typedToken } from './completionGuard';
import { diagnosticsDocsUri } from './docs';

/** What a completion item inserts, as the user would have typed it. */
function completionText(item: vscode.CompletionItem): string {
  if (typeof item.insertText === 'string') return item.insertText;
  if (item.insertText) return item.insertText.value;
  return typeof item.label === 'string' ? item.label : item.label.label;
}

export function createLanguageClient(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6011'] } },
  };
  const initializationOptions: VmbackupInitializationOptions = {
    storagePath: context.globalStorageUri.fsPath,
    // The diagnostics reference shipped in the .vsix: code links open it inside VS Code, offline.
    docsUri: diagnosticsDocsUri(context.extensionUri),
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'vmbackup' },
      { scheme: 'untitled', language: 'vmbackup' },
    ],
    outputChannel: log,
    synchronize: { configurationSection: 'vmbackup' },
    initializationOptions,
    middleware: {
      // See completionGuard.ts: Enter after a complete value must start a new line.
      async provideCompletionItem(document, position, context, token, next) {
        const result = await next(document, position, context, token);
        if (!result) return result;
        const items = Array.isArray(result) ? result : result.items;
        const typed = typedToken(document.lineAt(position.line).text, position.character);
        const invoked = context.triggerKind === CompletionTriggerKind.Invoke;
        const kept = guardCompletions(items, typed, completionText, invoked);
        return new CompletionList(kept, true);
      },
    },
  };
  return new LanguageClient('vmbackup', 'VmBackup Language Server', serverOptions, clientOptions);
}
