// Issue 12, the smaller editor defects, through the pure service functions: no VMB044 on a new
// file, duplicate VM names told apart in completion, a code lens that does not promise a
// backup the runner refuses, the vdi-export hover naming only the boot disk, the time said once
// in a stale hover, one regex position, and the pool status sentences.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { completions } from '../../server/src/service/completion';
import { codeLenses } from '../../server/src/service/lenses';
import { hover } from '../../server/src/service/hover';
import { schemeProblem } from '../../server/src/livePool';
import { staleNote } from '../../server/src/service/poolText';
import type { MarkupContent } from 'vscode-languageserver';
import { contextFor, diagnosticsOf, poolOf } from './service';

const GiB = 1024 ** 3;
const disk = (device: string, userdevice: string, gib: number) => ({
  device,
  userdevice,
  vdiUuid: `vdi-${device}`,
  vdiName: device,
  virtualSize: gib * GiB,
  srName: 'Local',
});
const POOL = poolOf([
  { name: 'web1', powerState: 'Running', uuid: '11111111-aaaa-0000-0000-000000000001' },
  { name: 'twin', powerState: 'Running', uuid: 'aaaaaaaa-0000-0000-0000-000000000002' },
  { name: 'twin', powerState: 'Halted', uuid: 'bbbbbbbb-0000-0000-0000-000000000003' },
  { name: 'BIG', disks: [disk('xvda', '0', 20), disk('xvdb', '1', 500), disk('xvdc', '2', 900)] },
]);

const hoverAt = (text: string, line: number, character: number, options = {}) =>
  (hover(contextFor(text, { pool: POOL, ...options }), { line, character })?.contents as MarkupContent | undefined)
    ?.value ?? '';

describe('smaller defects (issue 12, item 9 and server messages of item 7)', () => {
  it('an empty new file, or one without selections yet, shows no VMB044', () => {
    assert.deepEqual(diagnosticsOf(contextFor('', { pool: POOL })), []);
    assert.deepEqual(
      diagnosticsOf(contextFor('# VmBackup config\nmax_backups=3\n', { pool: POOL })).map((d) => d.code),
      [],
    );
    assert.deepEqual(
      diagnosticsOf(contextFor('vm-export=nothing-here\n', { pool: POOL }))
        .map((d) => d.code)
        .sort(),
      ['VMB040', 'VMB044', 'VMB046'],
    );
  });

  it('completion tells VMs with one name apart (power state, uuid) and warns that selecting it fails', () => {
    const items = completions(contextFor('vm-export=tw\n', { pool: POOL }), { line: 0, character: 12 }).items.filter(
      (i) => i.label === 'twin',
    );
    assert.equal(items.length, 2);
    assert.deepEqual(
      items.map((i) => i.labelDetails?.description),
      ['Running · aaaaaaaa', 'Halted · bbbbbbbb'],
    );
    assert.match(items[1]!.detail!, /^Halted · uuid bbbbbbbb-0000-0000-0000-000000000003/);
    assert.match(JSON.stringify(items[0]!.documentation), /2 VMs have this name.*VMB043/);
    const single = completions(contextFor('vm-export=we\n', { pool: POOL }), { line: 0, character: 12 }).items.find(
      (i) => i.label === 'web1',
    )!;
    assert.equal(single.labelDetails?.description, 'Running');
  });

  it('the code lens does not count VMs on a file that fails: it says the errors', () => {
    const lens = (text: string) => codeLenses(contextFor(text, { pool: POOL }))[0]?.command?.title;
    assert.equal(lens('vm-export=web1\nvm-export=BIG\n'), '2 VMs selected · Run Preview');
    assert.equal(lens('max_backups=x\nvm-export=web1\n'), '✖ 1 error: the run would fail · Run Preview');
    assert.equal(lens('vm-export=twin\nvm-export=PRD-[a\n'), '✖ 2 errors: the run would fail · Run Preview');
    assert.equal(codeLenses(contextFor('vm-export=web1\n'))[0]?.command?.title, 'Run Preview');
  });

  it('the vdi-export hover shows only the boot disk (xvda), as the runner exports it', () => {
    const text = hoverAt('vdi-export=BIG\n', 0, 12);
    assert.match(text, /This line backs up only the boot disk \(xvda\) of 1 VM\*\*/);
    assert.match(text, /`BIG` · Running · xvda 20 GiB only \(not the other 2 disks\)/);
    assert.doesNotMatch(text, /xvdb|500 GiB/);
    // vm-export takes every disk: all listed.
    assert.match(hoverAt('vm-export=BIG\n', 0, 12), /xvda 20 GiB, xvdb 500 GiB, xvdc 900 GiB/);
  });

  it('a stale hover says the time of the VM list once', () => {
    const message = `Lost the pool; retrying. ${staleNote(POOL.fetchedAt)}`;
    const text = hoverAt('vm-export=web1\n', 0, 12, { state: 'stale', message });
    assert.match(text, /as of 2026-01-01 00:00 UTC \(.* ago\); not connected\.\* Lost the pool; retrying\.$/);
    assert.doesNotMatch(text, /2026-01-01T00:00/);
  });

  it('a regex error has one position: the Problems message and the hover agree', () => {
    const [d] = diagnosticsOf(contextFor('vm-export=PRD-[aA.*\n'));
    assert.match(d!.message, /unterminated character set at position 4\./);
    assert.match(hoverAt('vm-export=PRD-[aA.*\n', 0, 12), /unterminated character set at position 4\./);
  });

  it('a pool URL without scheme gets a sentence saying what to write', () => {
    assert.equal(
      schemeProblem('xen1.example.org'),
      'vmbackup.pool.url "xen1.example.org" has no scheme: write https://xen1.example.org',
    );
    assert.equal(schemeProblem('https://xen1.example.org'), undefined);
    assert.equal(schemeProblem('HTTP://10.0.0.1'), undefined);
  });
});
