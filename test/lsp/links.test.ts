// Document links on backup_dir and status_log over the protocol (textDocument/documentLink),
// for the runner working on this machine and over ssh (issue 12, "Document links for
// backup_dir / status_log (local, or over ssh where configured)").
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DocumentLinkRequest, type DocumentLink } from 'vscode-languageserver-protocol';
import { TestClient } from './harness';

const URI = 'file:///etc/vmbackup/remote.vmbackup.cfg';
const TEXT = [
  'max_backups=3',
  'backup_dir=/snapshots/BACKUPS dir',
  'status_log=/var/log/vmbackup/status.log',
  'vm-export=PROD.*',
  '',
].join('\n');

describe('document links for backup_dir and status_log', () => {
  let client: TestClient;

  /** The links once the server has the settings: it re-publishes the open document on a change. */
  async function linksWith(settings: Record<string, unknown>): Promise<DocumentLink[]> {
    const published = client.publishCount.get(URI) ?? 0;
    await client.changeSettings(settings);
    await client.waitFor('re-validation under the new settings', () =>
      (client.publishCount.get(URI) ?? 0) > published ? true : undefined,
    );
    return (await client.connection.sendRequest(DocumentLinkRequest.type, { textDocument: { uri: URI } })) ?? [];
  }

  before(async () => {
    client = new TestClient();
    await client.initialize();
    await client.open(URI, TEXT);
    await client.diagnosticsFor(URI);
  });
  after(() => client.dispose());

  it('links both paths to local files when the runner works on this machine', async () => {
    // The default transport is local.
    const links = (await client.connection.sendRequest(DocumentLinkRequest.type, { textDocument: { uri: URI } })) ?? [];
    assert.deepEqual(
      links.map((l) => [l.range.start.line, l.range.start.character, l.range.end.character, l.target]),
      [
        [1, 11, 33, 'file:///snapshots/BACKUPS%20dir'],
        [2, 11, 39, 'file:///var/log/vmbackup/status.log'],
      ],
    );
  });

  it('over ssh: the status log opens read-only from the ssh target, backup_dir is listed by a command', async () => {
    const links = await linksWith({ runner: { transport: 'ssh', sshTarget: 'root@xen1.example.org:2222' } });
    assert.deepEqual(
      links.map((l) => [l.range.start.line, l.target]),
      [
        [
          1,
          `command:vmbackup.browseRemoteFolder?${encodeURIComponent(
            JSON.stringify(['vmbackup-ssh://root@xen1.example.org:2222/snapshots/BACKUPS%20dir']),
          )}`,
        ],
        [2, 'vmbackup-ssh://root@xen1.example.org:2222/var/log/vmbackup/status.log'],
      ],
    );
    assert.deepEqual(
      links.map((l) => l.tooltip),
      [
        'List the backup folder (VM folders with their dated backups) on root@xen1.example.org:2222 (over ssh)',
        'Open the status log (one line per VM per run) on root@xen1.example.org:2222 (read-only, over ssh)',
      ],
    );
  });

  it('over ssh without a usable target there is no link (never a local path that is not the remote one)', async () => {
    assert.deepEqual(await linksWith({ runner: { transport: 'ssh' } }), []);
    assert.deepEqual(await linksWith({ runner: { transport: 'ssh', sshTarget: 'xen1/../evil?x#y' } }), []);
    assert.deepEqual(await linksWith({ runner: { transport: 'ssh', sshTarget: 'root@[::1]:22' } }), []);
  });
});
