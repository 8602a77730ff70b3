// The documentation shipped inside the extension (.vsix: docs/*.md). Diagnostic codes link to
// docs/diagnostics.md there, so the link works offline, on air-gapped admin networks, and
// points at nothing that was never published.
import * as vscode from 'vscode';

export function diagnosticsDocsUri(extensionUri: vscode.Uri): string {
  return vscode.Uri.joinPath(extensionUri, 'docs', 'diagnostics.md').toString();
}
