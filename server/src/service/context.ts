// What every feature receives: the document's analyses and the pool snapshot.
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { PoolSnapshot } from './types';
import type { ServerSettings } from './types';
import type { ConfigAnalysis } from './analysis';
import type { SelectionAnalysis } from './selection';

export interface FeatureContext {
  uri: string;
  document: TextDocument;
  analysis: ConfigAnalysis;
  selection: SelectionAnalysis;
  /** False for lines the (deferred, previous) plan in `selection` no longer describes. */
  selectionValidAt: (line: number) => boolean;
  pool: PoolSnapshot;
  settings: ServerSettings;
  /** URI of the bundled docs/diagnostics.md (initializationOptions.docsUri), for code links. */
  docsUri?: string;
}
