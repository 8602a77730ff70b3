// Export-file checks, pure and streaming: see check-stream.ts for the entry point.
export { ArchiveDamage } from './damage';
export {
  checkArchive,
  pushCheck,
  type ArchivePushCheck,
  type ArchiveSpec,
  type ArchiveSummary,
  type Compression,
} from './check-stream';
export { TarStreamReader, type TarEntry, type TarListener } from './tar-stream';
export { XvaChecker, type XvaSummary } from './xva-check';
export { RawImageChecker, VhdImageChecker, type DiskImageSummary } from './disk-image-check';
export { loadHashers } from './hashes';
