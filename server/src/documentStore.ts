// Per-document cache of the analyses the features share. The cheap part (parse + config
// diagnostics) is redone per version; the selection plan against the pool (which can take
// hundreds of ms for a 10,000-line file and a 5,000-VM pool) is reused while the entry lines
// are unchanged, and can be deferred while the user types (see server.ts).
import type { Diagnostic } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { ConfigDiagnostic, EntryLine } from '../../runner/src/config/types';
import type { PoolSnapshot } from './livePool';
import type { ServerSettings } from './settings';
import { analyseConfig, type ConfigAnalysis } from './service/analysis';
import { parseIncrementally } from './incrementalParse';
import { effectiveDiagnostics, toLspDiagnostic } from './service/diagnostics';
import { analyseSelection, type SelectionAnalysis } from './service/selection';
import type { FeatureContext } from './service/context';

interface SelectionEntry {
  poolGeneration: number;
  /** The entry lines the plan was made from. */
  entries: readonly EntryLine[];
  lineTexts: Map<number, string>;
  value: SelectionAnalysis;
}

interface Entry {
  /** The TextDocument object: a re-opened document restarts at version 1. */
  document: TextDocument;
  version: number;
  settingsGeneration: number;
  text: string;
  config: ConfigAnalysis;
  selection?: SelectionEntry;
  /** How long the last plan took, to decide whether to defer the next one. */
  planMs: number;
}

/** Same entry lines at the same line numbers (the incremental parse keeps unchanged nodes). */
function sameEntries(a: readonly EntryLine[], b: readonly EntryLine[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y && (x.line !== y.line || x.text !== y.text)) return false;
  }
  return true;
}

/** A plan that took longer than this is not redone on every keystroke. */
export const QUICK_PLAN_MS = 25;
const ALWAYS = () => true;

/** How the store times a plan; tests inject a clock and a threshold instead of slow work. */
export interface PlanTiming {
  now: () => number;
  quickPlanMs: number;
}

const REAL_TIMING: PlanTiming = { now: () => performance.now(), quickPlanMs: QUICK_PLAN_MS };

/** Diagnostics that need the other configs of the workspace (VMB047); none by default. */
export type CrossConfigDiagnostics = (
  uri: string,
  config: ConfigAnalysis['config'],
  plan: SelectionAnalysis['plan'],
  pool: PoolSnapshot,
) => ConfigDiagnostic[];

export class DocumentStore {
  private readonly entries = new Map<string, Entry>();
  private settingsGeneration = 0;
  crossConfig: CrossConfigDiagnostics = () => [];

  constructor(
    private readonly settings: () => ServerSettings,
    private readonly pool: () => PoolSnapshot,
    private readonly docsUri: () => string | undefined = () => undefined,
    private readonly timing: PlanTiming = REAL_TIMING,
  ) {}

  settingsChanged(): void {
    this.settingsGeneration++;
  }

  forget(uri: string): void {
    this.entries.delete(uri);
  }

  private entry(document: TextDocument): Entry {
    const cached = this.entries.get(document.uri);
    const same = cached?.document === document;
    if (same && cached.version === document.version && cached.settingsGeneration === this.settingsGeneration) return cached;
    const text = document.getText();
    const parsed = parseIncrementally(same ? { text: cached.text, config: cached.config.config } : undefined, text);
    const entry: Entry = {
      document,
      version: document.version,
      settingsGeneration: this.settingsGeneration,
      text,
      config: analyseConfig(parsed, this.settings()),
      // Same entry lines, same pool: the plan still holds (edits in comments or blank lines).
      selection: same ? cached.selection : undefined,
      planMs: same ? cached.planMs : 0,
    };
    this.entries.set(document.uri, entry);
    return entry;
  }

  private selectionReady(entry: Entry, pool: PoolSnapshot): boolean {
    const selection = entry.selection;
    return selection !== undefined && selection.poolGeneration === pool.generation && sameEntries(selection.entries, entry.config.config.entries);
  }

  private selection(entry: Entry, pool: PoolSnapshot): SelectionAnalysis {
    if (!this.selectionReady(entry, pool)) {
      const started = this.timing.now();
      const value = analyseSelection(entry.config, pool.inventory);
      entry.planMs = this.timing.now() - started;
      const lineTexts = new Map(entry.config.config.entries.map((e) => [e.line, e.text]));
      entry.selection = { poolGeneration: pool.generation, entries: entry.config.config.entries, lineTexts, value };
    }
    return entry.selection!.value;
  }

  /** True when the plan must be redone and is slow enough to wait for a pause in typing. */
  private deferrable(entry: Entry, pool: PoolSnapshot): boolean {
    return !this.selectionReady(entry, pool) && entry.planMs > this.timing.quickPlanMs && pool.inventory !== undefined;
  }

  /**
   * `fresh`: compute the plan if it is out of date (hover, explicit requests). Otherwise a slow
   * plan is not redone while the user types: the previous one is served, and
   * `selectionValidAt(line)` tells which lines it still describes.
   */
  context(document: TextDocument, fresh = true): FeatureContext {
    const entry = this.entry(document);
    const pool = this.pool();
    const docsUri = this.docsUri();
    const settings = this.settings();
    const base = { uri: document.uri, document, analysis: entry.config, pool, settings, ...(docsUri ? { docsUri } : {}) };
    const previous = entry.selection;
    if (!fresh && this.deferrable(entry, pool)) {
      if (previous?.poolGeneration !== pool.generation) {
        // The pool changed too: nothing of the old plan holds; show no pool results until the plan.
        return { ...base, selection: analyseSelection(entry.config, undefined), selectionValidAt: () => false };
      }
      const lines = entry.config.config.lines;
      return { ...base, selection: previous.value, selectionValidAt: (line) => lines[line] !== undefined && previous.lineTexts.get(line) === lines[line]!.text };
    }
    return { ...base, selection: this.selection(entry, pool), selectionValidAt: ALWAYS };
  }

  /** Every diagnostic the user should see (after suppression and severity overrides). */
  diagnostics(document: TextDocument): ConfigDiagnostic[] {
    const context = this.context(document);
    const cross = this.crossConfig(document.uri, context.analysis.config, context.selection.plan, context.pool);
    const raw = [...context.analysis.configDiagnostics, ...context.selection.diagnostics, ...cross];
    return effectiveDiagnostics(context.analysis.config, raw, context.settings);
  }

  /**
   * Diagnostics without waiting for a slow new plan: the previous plan's pool diagnostics are
   * kept on the lines that still read the same. `complete` says whether the plan was current.
   */
  quickDiagnostics(document: TextDocument): { diagnostics: ConfigDiagnostic[]; complete: boolean } {
    const context = this.context(document, false);
    const config = context.analysis.config;
    const current = context.selectionValidAt === ALWAYS || !this.deferrable(this.entry(document), context.pool);
    const carried = context.selection.diagnostics.filter((d) => context.selectionValidAt(d.range.start.line));
    const cross = current ? this.crossConfig(document.uri, config, context.selection.plan, context.pool) : [];
    const raw = [...context.analysis.configDiagnostics, ...carried, ...cross];
    return { diagnostics: effectiveDiagnostics(config, raw, context.settings), complete: current };
  }

  toLsp(document: TextDocument, diagnostics: readonly ConfigDiagnostic[]): Diagnostic[] {
    return diagnostics.map((d) => toLspDiagnostic(d, document.uri, this.docsUri()));
  }

  lspDiagnostics(document: TextDocument): Diagnostic[] {
    return this.toLsp(document, this.diagnostics(document));
  }
}
