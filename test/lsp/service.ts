// Direct calls to the pure feature functions of server/src/service: a FeatureContext built from
// a text, a pool inventory (VM names or records) and settings, as the server builds it.
import { TextDocument } from 'vscode-languageserver-textdocument';
import { parseConfig } from '../../runner/src/config';
import type { Inventory, InventoryVm } from '../../runner/src/pool/inventory';
import { analyseConfig } from '../../server/src/service/analysis';
import { analyseSelection } from '../../server/src/service/selection';
import { effectiveDiagnostics } from '../../server/src/service/diagnostics';
import type { FeatureContext } from '../../server/src/service/context';
import { DEFAULT_SETTINGS, type ServerSettings } from '../../server/src/settings';
import type { ConfigDiagnostic } from '../../runner/src/config/types';

export type VmSpec = string | (Partial<InventoryVm> & { name: string });

export function poolOf(specs: VmSpec[], poolName = 'Lab'): Inventory {
  const vms = specs.map((s, i): InventoryVm => {
    const spec = typeof s === 'string' ? { name: s } : s;
    return {
      uuid: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
      ref: `OpaqueRef:${i}`,
      powerState: 'Running',
      isTemplate: false,
      isSnapshot: false,
      isControlDomain: false,
      disks: [],
      ...spec,
    };
  });
  return { vms, source: 'fixture', fetchedAt: Date.UTC(2026, 0, 1), poolName };
}

export interface ContextOptions {
  uri?: string;
  pool?: Inventory;
  settings?: Partial<ServerSettings>;
  state?: 'connected' | 'stale';
  /** The pool status message (the live pool's sentence). */
  message?: string;
  docsUri?: string;
}

export function contextFor(text: string, options: ContextOptions = {}): FeatureContext {
  const uri = options.uri ?? 'file:///work/test.cfg';
  const settings = { ...DEFAULT_SETTINGS, ...options.settings };
  const analysis = analyseConfig(parseConfig(text), settings);
  const url = options.pool ? 'https://pool.example' : '';
  return {
    uri,
    document: TextDocument.create(uri, 'vmbackup', 1, text),
    analysis,
    selection: analyseSelection(analysis, options.pool),
    selectionValidAt: () => true,
    pool: {
      ...(options.pool ? { inventory: options.pool } : {}),
      status: {
        state: options.pool ? (options.state ?? 'connected') : 'disconnected',
        vmCount: 0,
        message: options.message ?? '',
        url,
      },
      generation: 1,
    },
    settings,
    ...(options.docsUri ? { docsUri: options.docsUri } : {}),
  };
}

/** The diagnostics the user sees for the context (after suppression and overrides). */
export function diagnosticsOf(context: FeatureContext): ConfigDiagnostic[] {
  return effectiveDiagnostics(
    context.analysis.config,
    [...context.analysis.configDiagnostics, ...context.selection.diagnostics],
    context.settings,
  );
}
