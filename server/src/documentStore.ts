// Per-document cache of the analyses the features share, keyed by document version,
// settings generation and pool generation, so that a hover after a keystroke does not
// re-parse a 10,000-line file a second time.
import type { Diagnostic } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { ConfigDiagnostic } from '../../runner/src/config/types';
import type { PoolSnapshot } from './livePool';
import type { ServerSettings } from './settings';
import { analyseConfig, type ConfigAnalysis } from './service/analysis';
import { parseIncrementally } from './incrementalParse';
import { effectiveDiagnostics, toLspDiagnostic } from './service/diagnostics';
import { analyseSelection, type SelectionAnalysis } from './service/selection';
import type { FeatureContext } from './service/context';

interface Entry {
  /** The TextDocument object: a re-opened document restarts at version 1. */
  document: TextDocument;
  version: number;
  settingsGeneration: number;
  text: string;
  config: ConfigAnalysis;
  selection?: { poolGeneration: number; value: SelectionAnalysis };
}

export class DocumentStore {
  private readonly entries = new Map<string, Entry>();
  private settingsGeneration = 0;

  constructor(
    private readonly settings: () => ServerSettings,
    private readonly pool: () => PoolSnapshot,
  ) {}

  settingsChanged(): void {
    this.settingsGeneration++;
  }

  forget(uri: string): void {
    this.entries.delete(uri);
  }

  private entry(document: TextDocument): Entry {
    const cached = this.entries.get(document.uri);
    if (cached && cached.document === document && cached.version === document.version && cached.settingsGeneration === this.settingsGeneration) {
      return cached;
    }
    const text = document.getText();
    const previous = cached?.document === document ? { text: cached.text, config: cached.config.config } : undefined;
    const parsed = parseIncrementally(previous, text);
    const entry: Entry = {
      document,
      version: document.version,
      settingsGeneration: this.settingsGeneration,
      text,
      config: analyseConfig(parsed, this.settings()),
    };
    this.entries.set(document.uri, entry);
    return entry;
  }

  context(document: TextDocument): FeatureContext {
    const entry = this.entry(document);
    const pool = this.pool();
    const settings = this.settings();
    if (!entry.selection || entry.selection.poolGeneration !== pool.generation) {
      entry.selection = { poolGeneration: pool.generation, value: analyseSelection(entry.config, pool.inventory) };
    }
    return { uri: document.uri, document, analysis: entry.config, selection: entry.selection.value, pool, settings };
  }

  /** Every diagnostic the user should see (after suppression and severity overrides). */
  diagnostics(document: TextDocument): ConfigDiagnostic[] {
    const context = this.context(document);
    const raw = [...context.analysis.configDiagnostics, ...context.selection.diagnostics];
    return effectiveDiagnostics(context.analysis.config, raw, context.settings);
  }

  lspDiagnostics(document: TextDocument): Diagnostic[] {
    return this.diagnostics(document).map((d) => toLspDiagnostic(d, document.uri));
  }
}
