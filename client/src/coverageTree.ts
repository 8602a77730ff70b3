// The pool coverage view's content, from the language server's `vmbackup/coverage` report:
// which VMs no config backs up, which VMs more than one config backs up, and which config
// backs up which VM. Pure (no `vscode` import): unit-tested; coverageView.ts renders it.
import type { CoverageReport, CoverageVm } from '../../server/src/protocol';

export interface CoverageLine {
  uri: string;
  /** 0-based. */
  line: number;
  list: string;
}

export type CoverageNode =
  | { kind: 'group'; id: string; label: string; description: string; children: CoverageNode[] }
  | {
      kind: 'vm';
      id: string;
      label: string;
      description: string;
      tooltip: string;
      children: CoverageNode[];
      warning: boolean;
    }
  | { kind: 'config'; id: string; label: string; description: string; uri: string; children: CoverageNode[] }
  | { kind: 'line'; id: string; label: string; description: string; location: CoverageLine };

/** `file:///srv/VmBackup/weekly.cfg` -> `weekly.cfg` (the label), the folder as description. */
export function fileLabel(uri: string): { name: string; folder: string } {
  const path = decodeURIComponent(uri.replace(/^[a-z]+:\/\//i, ''));
  const slash = path.lastIndexOf('/');
  return { name: path.slice(slash + 1), folder: path.slice(0, Math.max(slash, 0)) };
}

function lineNode(prefix: string, at: CoverageLine): CoverageNode {
  const { name } = fileLabel(at.uri);
  return {
    kind: 'line',
    id: `${prefix}/${at.uri}:${at.line}`,
    label: `${name}:${at.line + 1}`,
    description: at.list,
    location: at,
  };
}

function vmNode(prefix: string, vm: CoverageVm, warning: boolean): CoverageNode {
  const configs = new Set(vm.backedUpBy.map((b) => b.uri)).size;
  return {
    kind: 'vm',
    id: `${prefix}/${vm.uuid}`,
    label: vm.name,
    description:
      vm.backedUpBy.length === 0 ? vm.powerState : `${vm.powerState} · ${configs} config${configs === 1 ? '' : 's'}`,
    tooltip: `${vm.name} (${vm.uuid}), ${vm.powerState}`,
    children: vm.backedUpBy.map((at) => lineNode(`${prefix}/${vm.uuid}`, at)),
    warning,
  };
}

const count = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The tree's top level: not backed up, backed up twice, then each config with its VMs. */
export function coverageNodes(report: CoverageReport): CoverageNode[] {
  const byUuid = new Map(report.vms.map((vm) => [vm.uuid, vm]));
  const pick = (uuids: string[]) =>
    uuids.map((uuid) => byUuid.get(uuid)).filter((vm): vm is CoverageVm => vm !== undefined);
  const missing = pick(report.notBackedUp);
  const twice = pick(report.backedUpTwice);
  const configs: CoverageNode[] = report.configs.map((uri) => {
    const vms = report.vms.filter((vm) => vm.backedUpBy.some((b) => b.uri === uri));
    const { name, folder } = fileLabel(uri);
    return {
      kind: 'config',
      id: `config/${uri}`,
      label: name,
      description: `${count(vms.length, 'VM')} · ${folder}`,
      uri,
      children: vms.map((vm) => {
        const lines = vm.backedUpBy.filter((b) => b.uri === uri);
        return { ...vmNode(`config/${uri}`, { ...vm, backedUpBy: lines }, false), description: vm.powerState };
      }),
    };
  });
  return [
    {
      kind: 'group',
      id: 'missing',
      label: 'Not backed up',
      description: count(missing.length, 'VM'),
      children: missing.map((vm) => vmNode('missing', vm, true)),
    },
    {
      kind: 'group',
      id: 'twice',
      label: 'Backed up by more than one config',
      description: count(twice.length, 'VM'),
      children: twice.map((vm) => vmNode('twice', vm, true)),
    },
    {
      kind: 'group',
      id: 'configs',
      label: 'By config',
      description: count(report.configs.length, 'config'),
      children: configs,
    },
  ];
}
