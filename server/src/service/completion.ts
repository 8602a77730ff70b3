// Completion: keys (with their documentation), values of enum-like keys, VM names from the
// pool for selections and excludes (written so that they select exactly that VM), and
// snippets for the common selections.
import {
  CompletionItemKind,
  CompletionTriggerKind,
  InsertTextFormat,
  MarkupKind,
  type CompletionItem,
  type CompletionList,
  type Position,
  type Range,
} from 'vscode-languageserver';
import { KEY_SCHEMA, getKeySpec } from 'vmbackup-runner/config';
import type { KeySpec } from 'vmbackup-runner/config';
import { selectableVms } from 'vmbackup-runner/pool/inventory';
import type { FeatureContext } from './context';
import { selectorForVm, formatSize } from './vmNames';

const SNIPPETS: Array<{ label: string; text: string; doc: string }> = [
  {
    label: 'vm-export all VMs with a prefix',
    text: 'vm-export=${1:PROD}.*${2::${3:3}}',
    doc: 'Full backups of every VM whose name starts with the prefix, optionally keeping N backups.',
  },
  {
    label: 'vm-export one VM',
    text: 'vm-export=${1:vm-name}${2::${3:3}}',
    doc: 'Full backup of one VM (a plain name matches exactly).',
  },
  {
    label: 'vdi-export boot disk only',
    text: 'vdi-export=${1:vm-name}',
    doc: 'Backs up only the boot disk (xvda) of a VM with large data disks.',
  },
  {
    label: 'exclude before the selections',
    text: 'exclude=${1:vm-name}',
    doc: 'Excludes must come before the first selection line.',
  },
  {
    label: 'new config with defaults',
    text: [
      '# VmBackup configuration',
      'pool_db_backup=${1|0,1|}',
      'max_backups=${2:4}',
      'backup_dir=${3:/snapshots/BACKUPS}',
      'status_log=${4:/snapshots/NAUbackup/status.log}',
      'vdi_export_format=${5|raw,vhd|}',
      '',
      '# excludes first, then the selections',
      'exclude=${6:PROD-ubuntu12-benchmark}',
      'vm-export=${7:PROD}.*',
    ].join('\n'),
    doc: 'A complete config with the original defaults.',
  },
];

/** `range`: the key text to replace; `hasEquals`: the line already has its '=' after the key. */
function keyItem(spec: KeySpec, original: boolean, range: Range, hasEquals: boolean): CompletionItem {
  return {
    label: spec.key,
    kind: spec.kind === 'scalar' ? CompletionItemKind.Property : CompletionItemKind.Keyword,
    detail: spec.default !== undefined ? `default ${spec.default}` : spec.extension ? 'vmbackup extension' : spec.kind,
    documentation: {
      kind: MarkupKind.Markdown,
      value:
        `${spec.doc}\n\nExample: \`${spec.example}\`` +
        `${spec.extension && original ? '\n\n**Rejected by the original VmBackup.py.**' : ''}`,
    },
    textEdit: { range, newText: hasEquals ? spec.key : `${spec.key}=` },
    ...(hasEquals ? {} : { command: { title: 'values', command: 'editor.action.triggerSuggest' } }),
    sortText: `${spec.extension ? '1' : '0'}${spec.key}`,
  };
}

function valueItems(spec: KeySpec, range: Range): CompletionItem[] {
  return (spec.allowed ?? []).map((value, index) => ({
    label: value,
    textEdit: { range, newText: value },
    kind: CompletionItemKind.EnumMember,
    detail: value === spec.default ? 'default' : undefined,
    documentation: { kind: MarkupKind.Markdown, value: spec.doc },
    sortText: String(index).padStart(3, '0'),
  }));
}

function vmItems(context: FeatureContext, range: Range): CompletionItem[] {
  const inventory = context.pool.inventory;
  if (!inventory) return [];
  const vms = selectableVms(inventory);
  const sharing = new Map<string, number>();
  for (const vm of vms) sharing.set(vm.name, (sharing.get(vm.name) ?? 0) + 1);
  return vms.map((vm) => {
    const selector = selectorForVm(vm.name);
    const disks = vm.disks.map((d) => `${d.device || d.userdevice} ${formatSize(d.virtualSize)}`).join(', ');
    const shared = sharing.get(vm.name)! > 1;
    // VMs with one name look alike: the power state and uuid tell them apart.
    const notes = [
      ...(selector !== vm.name ? [`Inserted as the exact-match regex \`${selector}\`.`] : []),
      ...(shared
        ? [`⚠ ${sharing.get(vm.name)} VMs have this name: selecting it is an error (VMB043). Rename one in the pool.`]
        : []),
      `uuid \`${vm.uuid}\``,
    ];
    return {
      label: vm.name,
      labelDetails: { description: `${vm.powerState}${shared ? ` · ${vm.uuid.slice(0, 8)}` : ''}` },
      kind: CompletionItemKind.Value,
      detail: `${vm.powerState}${shared ? ` · uuid ${vm.uuid}` : ''}${disks ? ` · ${disks}` : ''}`,
      textEdit: { range, newText: selector },
      filterText: vm.name,
      documentation: { kind: MarkupKind.Markdown, value: notes.join('\n\n') },
    };
  });
}

/** The text of `range` on its line. */
function textOf(lineText: string, range: Range): string {
  return lineText.slice(range.start.character, range.end.character);
}

function newTextOf(item: CompletionItem): string | undefined {
  return item.textEdit && 'newText' in item.textEdit ? item.textEdit.newText : undefined;
}

/**
 * Enter must stay a new line: no item equal to what is already typed (accepting it would change
 * nothing but eat the Enter), and no list at all when the popup opened by itself (typing, a
 * trigger character) on a value that is already complete.
 */
function withoutTyped(items: CompletionItem[], typed: string, automatic: boolean): CompletionItem[] {
  if (typed === '') return items;
  const same = (item: CompletionItem) =>
    newTextOf(item) === typed || (newTextOf(item) === undefined && item.label === typed);
  if (automatic && items.some(same)) return [];
  return items.filter((item) => !same(item));
}

export function completions(
  context: FeatureContext,
  position: Position,
  triggerKind?: CompletionTriggerKind,
): CompletionList {
  // Ctrl+Space (or a client that does not say) is a request; anything else opened by itself.
  const automatic = triggerKind !== undefined && triggerKind !== CompletionTriggerKind.Invoked;
  return { isIncomplete: false, items: completionItems(context, position, automatic) };
}

function completionItems(context: FeatureContext, position: Position, automatic: boolean): CompletionItem[] {
  const node = context.analysis.config.lines[position.line];
  const lineText = node?.text ?? '';
  const before = lineText.slice(0, position.character);
  const original = context.settings.compatibility === 'original';
  if (node?.kind === 'comment' || before.trimStart().startsWith('#')) return [];
  const equals = before.indexOf('=');
  if (equals === -1) {
    // Replace the whole key (also when the cursor is inside it), up to an existing '='.
    const start = lineText.length - lineText.trimStart().length;
    const equalsAfter = lineText.indexOf('=', position.character);
    const keyEnd =
      equalsAfter >= 0
        ? lineText.slice(0, equalsAfter).trimEnd().length
        : Math.max(position.character, lineText.trimEnd().length);
    const keyRange: Range = {
      start: { line: position.line, character: Math.min(start, position.character) },
      end: { line: position.line, character: Math.max(keyEnd, position.character) },
    };
    // A setting already given on another line would be a second one (VMB004): not offered.
    const entries = context.analysis.config.entries;
    const setElsewhere = new Set(
      entries.filter((e) => e.line !== position.line && getKeySpec(e.key)?.kind === 'scalar').map((e) => e.key),
    );
    const specs = KEY_SCHEMA.filter((spec) => !(original && spec.extension) && !setElsewhere.has(spec.key));
    const keys = specs.map((spec) => keyItem(spec, original, keyRange, equalsAfter >= 0));
    const snippets: CompletionItem[] =
      before.trim() === '' || !before.includes(' ')
        ? SNIPPETS.filter((s) => !(s.label.startsWith('new config') && entries.length > 0)).map((s) => ({
            label: s.label,
            kind: CompletionItemKind.Snippet,
            insertText: s.text,
            insertTextFormat: InsertTextFormat.Snippet,
            documentation: { kind: MarkupKind.Markdown, value: s.doc },
            sortText: `2${s.label}`,
          }))
        : [];
    return [...withoutTyped(keys, textOf(lineText, keyRange), automatic), ...snippets];
  }
  const spec = getKeySpec(before.slice(0, equals).trim());
  if (!spec) return [];
  // Replace the whole value (or the name part of a selection), wherever the cursor is in it.
  let start = equals + 1;
  while (start < position.character && /\s/.test(lineText[start]!)) start++;
  const colon = spec.kind === 'selection' ? lineText.indexOf(':', start) : -1;
  const end = Math.max(position.character, colon >= 0 ? colon : lineText.trimEnd().length);
  const range: Range = {
    start: { line: position.line, character: start },
    end: { line: position.line, character: end },
  };
  if (spec.kind === 'scalar') return withoutTyped(valueItems(spec, range), textOf(lineText, range), automatic);
  // In a selection, after the ':' comes N (backups to keep), not a name.
  if (spec.kind === 'selection' && before.slice(equals + 1).includes(':')) {
    const colonAt = lineText.indexOf(':', equals + 1);
    const nEnd = Math.max(position.character, lineText.trimEnd().length);
    const nRange: Range = {
      start: { line: position.line, character: colonAt + 1 },
      end: { line: position.line, character: nEnd },
    };
    const numbers = ['1', '2', '3', '4', '7', '14'].map(
      (n, index): CompletionItem => ({
        label: n,
        kind: CompletionItemKind.Value,
        detail: `keep ${n} backups`,
        sortText: String(index).padStart(2, '0'),
        textEdit: { range: nRange, newText: n },
      }),
    );
    return withoutTyped(numbers, textOf(lineText, nRange), automatic);
  }
  return withoutTyped(vmItems(context, range), textOf(lineText, range), automatic);
}
