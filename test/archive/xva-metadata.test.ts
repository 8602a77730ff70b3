// Which disks an XVA must carry, read from ova.xml the way xapi's export.ml `export` picks the
// VDIs it streams: VBDs that are not CDs, VDIs not on an ISO SR, the suspend image of a VM
// exported as Suspended; ordered by export id (stream_vdi.ml, vdi_ordering).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArchiveDamage } from '../../runner/src/archive/index';
import { readOvaXml } from '../../runner/src/archive/xva-metadata';

function object(cls: string, id: string, fields: Record<string, string>): string {
  const members = Object.entries(fields)
    .map(([k, v]) => `<member><name>${k}</name><value>${v}</value></member>`)
    .join('');
  return (
    `<value><struct><member><name>class</name><value>${cls}</value></member>` +
    `<member><name>id</name><value>${id}</value></member>` +
    `<member><name>snapshot</name><value><struct>${members}</struct></value></member></struct></value>`
  );
}

function ova(objects: string[], vsn = '2'): string {
  const version = `<member><name>export_vsn</name><value>${vsn}</value></member>`;
  return (
    `<value><struct><member><name>version</name><value><struct>${version}</struct></value></member>` +
    `<member><name>objects</name><value><array><data>${objects.join('')}</data></array></value></member>` +
    `</struct></value>`
  );
}

test("disks: non-CD VBDs off ISO SRs and a Suspended VM's suspend image, sorted by id as strings", () => {
  const xml = ova([
    object('SR', 'Ref:1', { content_type: 'user' }),
    object('SR', 'Ref:2', { content_type: 'iso' }),
    object('VBD', 'Ref:3', { type: 'Disk', VDI: 'Ref:10' }),
    object('VBD', 'Ref:4', { type: 'CD', VDI: 'Ref:11' }),
    object('VBD', 'Ref:5', { type: 'Disk', VDI: 'Ref:12' }),
    object('VBD', 'Ref:6', { type: 'Disk', VDI: 'Ref:9' }),
    object('VDI', 'Ref:10', { SR: 'Ref:1', virtual_size: '10737418240', type: 'system' }),
    object('VDI', 'Ref:11', { SR: 'Ref:1', virtual_size: '1048576', type: 'user' }),
    object('VDI', 'Ref:12', { SR: 'Ref:2', virtual_size: '2048', type: 'user' }),
    object('VDI', 'Ref:9', { SR: 'Ref:1', virtual_size: '4194304', type: 'user' }),
    object('VDI', 'Ref:13', { SR: 'Ref:1', virtual_size: '8388608', type: 'suspend' }),
    object('VDI', 'Ref:14', { SR: 'Ref:1', virtual_size: '8388608', type: 'suspend' }),
    object('VM', 'Ref:20', { power_state: 'Suspended', suspend_VDI: 'Ref:13' }),
    object('VM', 'Ref:21', { power_state: 'Halted', suspend_VDI: 'Ref:14' }),
  ]);
  assert.deepEqual(readOvaXml(xml), {
    exportVsn: 2,
    disks: [
      { id: 'Ref:10', size: 10737418240 },
      { id: 'Ref:13', size: 8388608 },
      { id: 'Ref:9', size: 4194304 },
    ],
  });
});

test('an unreadable virtual_size or a document without the export header is damage', () => {
  const bad = ova([
    object('VBD', 'Ref:1', { type: 'Disk', VDI: 'Ref:2' }),
    object('VDI', 'Ref:2', { virtual_size: 'x' }),
  ]);
  assert.throws(
    () => readOvaXml(bad),
    (e) => e instanceof ArchiveDamage && /virtual_size of disk Ref:2/.test(e.message),
  );
  assert.throws(() => readOvaXml('<value><array><data></data></array></value>'), ArchiveDamage);
  assert.throws(() => readOvaXml('<value><struct>'), /not readable XML/);
});
