// The pool coverage view's tree and the "Check All VmBackup Configs" summary, from the
// language server's report shapes (server/src/protocol.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summariseCheck } from '../../client/src/checkSummary';
import { coverageNodes, fileLabel, type CoverageNode } from '../../client/src/coverageTree';
import type { CoverageReport } from '../../server/src/protocol';

const weekly = 'file:///srv/VmBackup/weekly.cfg';
const nightly = 'file:///etc/vmbackup/night%20ly.cfg';
const report: CoverageReport = {
  configs: [weekly, nightly],
  vms: [
    { name: 'web01', uuid: 'u1', powerState: 'Running', backedUpBy: [{ uri: weekly, line: 3, list: 'vm-export' }] },
    {
      name: 'db01',
      uuid: 'u2',
      powerState: 'Running',
      backedUpBy: [
        { uri: weekly, line: 4, list: 'vm-export' },
        { uri: nightly, line: 1, list: 'vdi-export' },
      ],
    },
    { name: 'mail01', uuid: 'u3', powerState: 'Halted', backedUpBy: [] },
  ],
  notBackedUp: ['u3'],
  backedUpTwice: ['u2'],
};

const children = (node: CoverageNode | undefined) => (node && 'children' in node ? node.children : []);

test('the top level: not backed up, backed up by more than one config, by config', () => {
  const [missing, twice, byConfig] = coverageNodes(report);
  assert.deepEqual([missing?.label, missing?.description], ['Not backed up', '1 VM']);
  assert.deepEqual(
    children(missing).map((n) => [n.label, n.description]),
    [['mail01', 'Halted']],
  );
  assert.deepEqual(
    children(twice).map((n) => [n.label, n.description]),
    [['db01', 'Running · 2 configs']],
  );
  // Under a VM that is backed up twice: every line that backs it up, to click through.
  assert.deepEqual(
    children(children(twice)[0]).map((n) => [n.label, n.description]),
    [
      ['weekly.cfg:5', 'vm-export'],
      ['night ly.cfg:2', 'vdi-export'],
    ],
  );
  assert.equal(byConfig?.description, '2 configs');
});

test('by config: each config with the VMs it backs up and only its own lines', () => {
  const [weeklyNode, nightlyNode] = children(coverageNodes(report)[2]);
  assert.deepEqual([weeklyNode?.label, weeklyNode?.description], ['weekly.cfg', '2 VMs · /srv/VmBackup']);
  assert.deepEqual(
    children(weeklyNode).map((n) => n.label),
    ['web01', 'db01'],
  );
  assert.deepEqual(
    children(children(nightlyNode)[0]).map((n) => n.label),
    ['night ly.cfg:2'],
  );
  const ids = new Set<string>();
  const walk = (nodes: CoverageNode[]) =>
    nodes.forEach((n) => {
      assert.ok(!ids.has(n.id), `duplicate id ${n.id}`);
      ids.add(n.id);
      walk(children(n));
    });
  walk(coverageNodes(report));
});

test('file labels decode the URI', () => {
  assert.deepEqual(fileLabel(nightly), { name: 'night ly.cfg', folder: '/etc/vmbackup' });
});

test('the check summary counts errors, warnings and files, or says nothing was found', () => {
  assert.deepEqual(summariseCheck({ configs: [], skipped: 2 }), {
    text: 'No VmBackup configs found in the workspace (2 other .cfg files looked at).',
    severity: 'info',
    problems: false,
  });
  assert.deepEqual(
    summariseCheck({ configs: [{ uri: weekly, errors: 0, warnings: 0, open: false }], skipped: 0 }).text,
    'Checked 1 VmBackup config: no problems.',
  );
  const found = summariseCheck({
    configs: [
      { uri: weekly, errors: 2, warnings: 1, open: false },
      { uri: nightly, errors: 0, warnings: 0, open: true },
    ],
    skipped: 0,
  });
  assert.deepEqual(found, {
    text: 'Checked 2 VmBackup configs: 2 errors and 1 warning in 1 file (listed in Problems).',
    severity: 'warning',
    problems: true,
  });
});
