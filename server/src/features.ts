// Binds the pure feature functions to the connection; every handler is guarded so that a bug
// in one feature logs instead of taking the server down.
import type { Connection, TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { DocumentStore } from './documentStore';
import type { FeatureContext } from './service/context';
import { documentSymbols } from './service/symbols';
import { foldingRanges } from './service/folding';
import { formatDocument } from './service/formatting';
import { codeActions } from './service/codeActions';
import { hover } from './service/hover';
import { completions } from './service/completion';
import { codeLenses, inlayHints } from './service/lenses';

export function registerFeatures(connection: Connection, documents: TextDocuments<TextDocument>, store: DocumentStore): void {
  /** `fresh: false` for requests the editor sends by itself while the user types. */
  function guarded<P extends { textDocument: { uri: string } }, R>(name: string, handler: (context: FeatureContext, params: P) => R, fresh = true) {
    return (params: P): R | null => {
      const document = documents.get(params.textDocument.uri);
      if (!document) return null;
      try {
        return handler(store.context(document, fresh), params);
      } catch (error) {
        connection.console.error(`${name} failed for ${params.textDocument.uri}: ${(error as Error).stack ?? String(error)}`);
        return null;
      }
    };
  }

  connection.onHover(guarded('hover', (c, p) => hover(c, p.position)));
  connection.onCompletion(guarded('completion', (c, p) => completions(c, p.position, p.context?.triggerKind)));
  connection.onCodeLens(guarded('codeLens', (c) => codeLenses(c), false));
  connection.languages.inlayHint.on(guarded('inlayHint', (c, p) => inlayHints(c, p.range), false));
  connection.onDocumentSymbol(guarded('documentSymbol', (c) => documentSymbols(c.analysis.config)));
  connection.onFoldingRanges(guarded('foldingRange', (c) => foldingRanges(c.analysis.config)));
  connection.onDocumentFormatting(guarded('formatting', (c) => formatDocument(c.analysis.config)));
  connection.onDocumentRangeFormatting(guarded('rangeFormatting', (c, p) => formatDocument(c.analysis.config, p.range)));
  connection.onCodeAction(
    guarded(
      'codeAction',
      (c, p) => codeActions(c, store.quickDiagnostics(c.document).diagnostics, p.range, p.context.only),
      false,
    ),
  );
}
