// One backup folder as it lies on the host (vmbackup-behaviour.md §6): its export file and
// kind, its success markers, its size, and the boot disk's virtual size that a vdi-export
// image is checked against. Read through the Host, so local and ssh work the same way.
import type { FileInfo, Host } from '../host/types';
import { pathsOf, SUCCESS_MARKERS } from '../backup/layout';
import { untilAborted } from './abortable';
import type { BackupKind } from './types';

/** Export file endings, longest first so `.xva.gz` is not taken for something else. */
const ENDINGS: [string, Exclude<BackupKind, 'metadata'>][] = [
  ['.xva.gz', 'xva.gz'],
  ['.xva.zst', 'xva.zst'],
  ['.xva', 'xva'],
  ['.raw', 'raw'],
  ['.vhd', 'vhd'],
];

export interface FolderContents {
  path: string;
  /** The VM folder's name: the export file is `<vm>.<ending>`. */
  vm: string;
  exportFile?: { name: string; bytes: number; ending: Exclude<BackupKind, 'metadata'> };
  successMarkers: string[];
  /** Bytes of every file below the folder. */
  bytes: number;
  /** Entry names directly in the folder. */
  entries: FileInfo[];
}

function endingOf(name: string): Exclude<BackupKind, 'metadata'> | undefined {
  return ENDINGS.find(([ending]) => name.endsWith(ending))?.[1];
}

async function treeBytes(host: Host, dir: string, entries: FileInfo[]): Promise<number> {
  let total = 0;
  for (const entry of entries) {
    if (entry.isDirectory)
      total += await treeBytes(
        host,
        pathsOf(host).join(dir, entry.name),
        await host.list(pathsOf(host).join(dir, entry.name)),
      );
    else total += entry.size;
  }
  return total;
}

/** Reads the folder's listing (and its sub-folders' for the size); rejects when it cannot be read. */
export async function readFolder(host: Host, path: string): Promise<FolderContents> {
  const entries = await host.list(path);
  const vm = pathsOf(host).basename(pathsOf(host).dirname(path));
  const files = entries.filter((e) => !e.isDirectory);
  // The file the runner names `<vm>.<ending>` first; any other export-like file after it (a
  // folder copied from a VM that was renamed since).
  const candidates = files.filter((f) => endingOf(f.name) !== undefined);
  const named = candidates.find((f) => f.name === `${vm}.${endingOf(f.name)}`) ?? candidates[0];
  const names = new Set(files.map((f) => f.name));
  return {
    path,
    vm,
    ...(named ? { exportFile: { name: named.name, bytes: named.size, ending: endingOf(named.name)! } } : {}),
    successMarkers: SUCCESS_MARKERS.filter((m) => names.has(m)),
    bytes: await treeBytes(host, path, entries),
    entries,
  };
}

const TAR_BLOCK = 512;
/** An ova.xml larger than this is not read just to tell the kind (a full check reads it). */
const HEAD_LIMIT = 64 * 1024 * 1024;

/**
 * A metadata-export `<vm>.xva` holds ova.xml and nothing else; a vm-export has the disks'
 * chunks after it. Reads only the tar's first entry and the header after it. A file too
 * damaged to tell is called `xva` (the full check then names the damage).
 */
export async function xvaKind(host: Host, file: string, signal?: AbortSignal): Promise<'xva' | 'metadata'> {
  const pieces: Buffer[] = [];
  let have = 0;
  let need = TAR_BLOCK;
  let head: Buffer | undefined;
  for await (const piece of untilAborted(host.readStream(file), signal)) {
    pieces.push(piece);
    have += piece.length;
    if (have < need) continue;
    head = Buffer.concat(pieces);
    const name = head.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const size = Number.parseInt(head.subarray(124, 136).toString('ascii').replace(/\0.*$/s, '').trim(), 8);
    if (name !== 'ova.xml' || !Number.isSafeInteger(size) || size > HEAD_LIMIT) return 'xva';
    need = TAR_BLOCK + Math.ceil(size / TAR_BLOCK) * TAR_BLOCK + TAR_BLOCK;
    if (have >= need) break;
  }
  if (head === undefined || have < need) return 'xva';
  head = Buffer.concat(pieces);
  return head.subarray(need - TAR_BLOCK, need).every((b) => b === 0) ? 'metadata' : 'xva';
}

/** The folder's kind: the export file's ending, an uncompressed `.xva` told apart by its content. */
export async function backupKind(
  host: Host,
  contents: FolderContents,
  signal?: AbortSignal,
): Promise<BackupKind | undefined> {
  const file = contents.exportFile;
  if (!file) return undefined;
  if (file.ending !== 'xva') return file.ending;
  return xvaKind(host, pathsOf(host).join(contents.path, file.name), signal);
}

/** `key=value` lines of a vbd.cfg / vdi.cfg (metadata.ts writes them). */
function cfgValues(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) values.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return values;
}

/**
 * The virtual size of the disk a vdi-export holds: the boot disk's `vdi.cfg`, found as the
 * engine picks the disk (bootDisk in metadata.ts: device xvda, else userdevice 0).
 * `source` names the file it came from; undefined when the folder does not record it.
 */
export async function bootDiskSize(
  host: Host,
  contents: FolderContents,
): Promise<{ bytes: number; source: string } | undefined> {
  const disks = contents.entries.filter((e) => e.isDirectory && e.name.startsWith('DISK-')).map((e) => e.name);
  const read = async (disk: string, file: string) =>
    cfgValues((await host.readFile(pathsOf(host).join(contents.path, disk, file))).toString('utf8'));
  let chosen: string | undefined = disks.find((d) => d === 'DISK-xvda');
  if (chosen === undefined) {
    for (const disk of disks) {
      const vbd = await read(disk, 'vbd.cfg').catch(() => undefined);
      if (vbd?.get('userdevice') === '0') {
        chosen = disk;
        break;
      }
    }
  }
  if (chosen === undefined && disks.length === 1) chosen = disks[0];
  if (chosen === undefined) return undefined;
  const size = (await read(chosen, 'vdi.cfg').catch(() => undefined))?.get('virtual_size');
  if (size === undefined || !/^\d+$/.test(size) || !Number.isSafeInteger(Number(size))) return undefined;
  return { bytes: Number(size), source: `${chosen}/vdi.cfg` };
}
