// The metadata files of a backup folder (vmbackup-behaviour.md §5): vm-metadata.xml from
// `xe vm-export metadata=true`, DISK-<device>/vbd.cfg + vdi.cfg and VIFs/vif-<n>.cfg from
// XenAPI records. Values are written as Python 2 printed them (True/False, dict repr) so
// restore scripts written for the original keep parsing them.
import { Parser as TarParser } from 'tar';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import type { Host } from '../host/types';
import type { VmRecords, XapiRecord } from '../pool/xapi';
import { pathsOf } from './layout';

/** A record value as `'%s' % value` printed it in the original. */
export function pythonText(value: unknown): string {
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return `[${value.map((v) => `'${String(v)}'`).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return `{${entries.map(([k, v]) => `'${k}': '${String(v)}'`).join(', ')}}`;
  }
  return String(value).replace(/\r?\n/g, ' ');
}

const cfg = (pairs: [string, unknown][]): string => pairs.map(([k, v]) => `${k}=${pythonText(v)}\n`).join('');

export function vbdCfg(vbd: XapiRecord): string {
  return cfg([
    ['userdevice', vbd.userdevice],
    ['bootable', vbd.bootable],
    ['mode', vbd.mode],
    ['type', vbd.type],
    ['unpluggable', vbd.unpluggable],
    ['empty', vbd.empty],
    ['orig_uuid', vbd.uuid],
  ]);
}

export function vdiCfg(vdi: XapiRecord, srUuid: string): string {
  return cfg([
    ['name_label', vdi.name_label],
    ['name_description', vdi.name_description],
    ['virtual_size', vdi.virtual_size],
    ['type', vdi.type],
    ['sharable', vdi.sharable],
    ['read_only', vdi.read_only],
    ['orig_uuid', vdi.uuid],
    ['orig_sr_uuid', srUuid],
  ]);
}

export function vifCfg(vif: XapiRecord, networkName: string): string {
  return cfg([
    ['device', vif.device],
    ['network_name_label', networkName],
    ['MTU', vif.MTU],
    ['MAC', vif.MAC],
    ['other_config', vif.other_config],
    ['orig_uuid', vif.uuid],
  ]);
}

/** The boot disk (device xvda, else userdevice 0) used by vdi-export. */
export function bootDisk(records: VmRecords): { vdi: XapiRecord; ref: string } | undefined {
  const disks = records.disks.filter((d) => String(d.vbd.type) === 'Disk' && d.vdi);
  const xvda = disks.find((d) => d.vbd.device === 'xvda') ?? disks.find((d) => String(d.vbd.userdevice) === '0');
  return xvda?.vdi ? { vdi: xvda.vdi, ref: String(xvda.vbd.VDI) } : undefined;
}

/** Reads `ova.xml` out of a tar held in memory. */
export async function ovaXmlFromTar(data: Buffer): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let found: string | undefined;
    const parser = new TarParser({
      strict: true,
      onReadEntry: (entry) => {
        if (entry.path === 'ova.xml' && found === undefined) {
          const chunks: Buffer[] = [];
          entry.on('data', (c: Buffer) => chunks.push(c));
          entry.on('end', () => (found = Buffer.concat(chunks).toString('utf8')));
        } else entry.resume();
      },
    });
    parser.on('error', reject);
    parser.on('end', () => resolve(found));
    parser.end(data);
  });
}

/** Pretty-prints XML the way `xmllint --format` lays it out (declaration, 2-space indent). */
export function prettyXml(xml: string): string {
  const options = { preserveOrder: true, ignoreAttributes: false, processEntities: false } as const;
  const tree = new XMLParser({ ...options, parseTagValue: false, trimValues: false }).parse(xml);
  const body = new XMLBuilder({ ...options, format: true, indentBy: '  ', suppressEmptyNode: true }).build(
    tree,
  ) as string;
  return `<?xml version="1.0"?>\n${body.replace(/^\n+/, '')}${body.endsWith('\n') ? '' : '\n'}`;
}

export interface MetadataResult {
  warnings: string[];
}

/**
 * Writes every metadata file into `folder`. Problems are warnings, as in the original:
 * the export itself is what matters for a restore.
 */
export async function writeMetadata(
  host: Host,
  folder: string,
  /** The metadata export tar (XAPI's /export_metadata, what `xe vm-export metadata=true` prints). */
  metadataTar: () => Promise<Buffer>,
  records: VmRecords,
  log: (message: string) => void,
  signal?: AbortSignal,
): Promise<MetadataResult> {
  const { join } = pathsOf(host);
  const warnings: string[] = [];
  log('Exporting VM metadata XML info');
  try {
    // Straight from XAPI over HTTP: no xe process and no temporary file on the target.
    const xml = await ovaXmlFromTar(await metadataTar());
    if (xml === undefined) throw new Error('ova.xml missing from the metadata export');
    await host.writeFile(join(folder, 'vm-metadata.xml'), prettyXml(xml));
  } catch (error) {
    if (signal?.aborted) throw error;
    warnings.push(`vm-metadata.xml: ${(error as Error).message}`);
  }
  log('*** vm-export metadata end');

  log('Writing disk info');
  let counter = 0;
  // The original logged every VBD's ref (`vbd: OpaqueRef:...`) before looking at its type.
  const vbdRefs = Array.isArray(records.vm.VBDs) ? records.vm.VBDs.map(String) : [];
  const refs = vbdRefs.length === records.disks.length ? vbdRefs : [];
  for (const [i, { vbd, vdi, sr }] of records.disks.entries()) {
    if (refs[i] !== undefined) log(`vbd: ${refs[i]}`);
    if (String(vbd.type).toLowerCase() !== 'disk' || !vdi) continue;
    let device = String(vbd.device ?? '');
    if (device === '') {
      // VBD.device stays "" until the disk is first attached (a VM never started since it was
      // created or imported: xapi_vbd.ml). The original names the folder by a counter, DISK-1,
      // DISK-2, ... and we do too; but it is normal, not a problem, so no WARNING (the original
      // warned: docs/compatibility.md).
      counter++;
      device = String(counter);
      log(`vbd ${String(vbd.uuid)} has no device name yet (never attached): using DISK-${device} as VmBackup does`);
    }
    log(`disk: ${pythonText(vdi.name_label)} - begin`);
    const dir = join(folder, `DISK-${device.replace(/[/\0]/g, '_')}`);
    await host.mkdir(dir);
    await host.writeFile(join(dir, 'vbd.cfg'), vbdCfg(vbd));
    await host.writeFile(join(dir, 'vdi.cfg'), vdiCfg(vdi, sr?.uuid ?? ''));
  }

  log('Writing VIF info');
  if (records.vifs.length > 0) await host.mkdir(join(folder, 'VIFs'));
  for (const { vif, network } of records.vifs) {
    log(`Writing VIF: ${pythonText(vif.device)}`);
    await host.writeFile(
      join(folder, 'VIFs', `vif-${pythonText(vif.device).replace(/[/\0]/g, '_')}.cfg`),
      vifCfg(vif, pythonText(network?.name_label)),
    );
  }
  return { warnings };
}
