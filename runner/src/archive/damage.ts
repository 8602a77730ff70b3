// What the archive checkers throw: the file is not a complete, intact export. The message
// says what is wrong and where (byte offsets count the uncompressed stream).

export class ArchiveDamage extends Error {
  override readonly name = 'ArchiveDamage';
}
