// What the packaged .vsix holds: every image the README shows (the extension page renders the
// README from the installed extension, so a missing file is a broken image), every walkthrough
// image, and the docs that diagnostic codes link to. Packages with vsce exactly as
// `npm run package` does (without re-bundling; dist/ must be built).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { packageVsix } from '../e2e/codeServer';

const ROOT = join(import.meta.dirname, '..', '..');
let vsix: string;
let entries: Set<string>;
let zip: Buffer;
let zipIndex: ZipEntry[];

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  localHeader: number;
}

/** The entries of a zip's central directory (no dependency: the format is simple). */
function zipEntries(zip: Buffer): ZipEntry[] {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(eocd >= 0, 'not a zip file');
  const count = zip.readUInt16LE(eocd + 10);
  let offset = zip.readUInt32LE(eocd + 16);
  const found: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    assert.equal(zip.readUInt32LE(offset), 0x02014b50, 'central directory entry');
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    found.push({
      name: zip.toString('utf8', offset + 46, offset + 46 + nameLength),
      method: zip.readUInt16LE(offset + 10),
      compressedSize: zip.readUInt32LE(offset + 20),
      localHeader: zip.readUInt32LE(offset + 42),
    });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return found;
}

/** The text of one stored or deflated zip entry. */
function zipText(zip: Buffer, entry: ZipEntry): string {
  const at = entry.localHeader;
  assert.equal(zip.readUInt32LE(at), 0x04034b50, 'local file header');
  const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
  const data = zip.subarray(start, start + entry.compressedSize);
  return (entry.method === 8 ? inflateRawSync(data) : data).toString('utf8');
}

/** Relative image paths of a markdown text: `![alt](path)` and `<img src="path">`. */
function imagesOf(markdown: string): string[] {
  const found = [
    ...markdown.matchAll(/!\[[^\]]*\]\(([^)\s]+)[^)]*\)/g),
    ...markdown.matchAll(/<img[^>]*\ssrc="([^"]+)"/g),
  ].map((m) => m[1]!);
  return found.filter((path) => !/^[a-z]+:/i.test(path));
}

before(() => {
  vsix = packageVsix();
  zip = readFileSync(vsix);
  zipIndex = zipEntries(zip);
  entries = new Set(zipIndex.map((entry) => entry.name));
});

after(() => rmSync(dirname(vsix), { recursive: true, force: true }));

test('the .vsix contains every image the README references', () => {
  const images = imagesOf(readFileSync(join(ROOT, 'README.md'), 'utf8'));
  assert.ok(images.length >= 6, images.join(', '));
  const missing = images.filter((path) => !entries.has(`extension/${path}`));
  assert.deepEqual(missing, []);
});

test('the .vsix contains the walkthrough images and the docs diagnostic codes link to', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const media = manifest.contributes.walkthroughs.flatMap((w: { steps: { media: { image?: string } }[] }) =>
    w.steps.map((s) => s.media.image),
  );
  assert.ok(media.length >= 5);
  for (const image of media) assert.ok(entries.has(`extension/${image}`), image);
  assert.ok(entries.has('extension/docs/diagnostics.md'));
  // The bundles the extension requires at run time.
  for (const bundle of ['extension.js', 'languageClient.js', 'remoteFiles.js', 'server.js', 'vmbackup.js'])
    assert.ok(entries.has(`extension/dist/${bundle}`), bundle);
  for (const doc of ['extension.md', 'cli.md', 'language-server.md'])
    assert.ok(entries.has(`extension/docs/${doc}`), doc);
});

test('the README starts with what a user needs and keeps exactly the two set-up commands', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const headings = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
  assert.equal(headings[0], 'In VS Code');
  const setup = readme.indexOf('npm install && npm run demo');
  assert.ok(setup > readme.indexOf('## The runner from cron'), 'developer set-up comes after the user content');
  const shellBlocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());
  const setupCommands = shellBlocks.filter((block) => /^npm /.test(block));
  assert.deepEqual(setupCommands, ['npm install && npm run demo', 'npm test']);
});

// VS Code's extension details page renders the packaged README with no base URL, drops image
// sources that are not http(s) and allows only https images (see scripts/vsix-readme.mjs): the
// README inside the .vsix shows each screenshot's caption instead of a broken image.
test('the README the details page shows has no image it cannot load, only captions', () => {
  const readmes = zipIndex.filter((entry) => /^extension\/readme(\.md)?$/i.test(entry.name));
  assert.deepEqual(
    readmes.map((entry) => entry.name),
    ['extension/readme.md'],
  );
  const packaged = zipText(zip, readmes[0]!);
  assert.deepEqual(imagesOf(packaged), []);
  const source = readFileSync(join(ROOT, 'README.md'), 'utf8');
  for (const [, alt] of source.matchAll(/!\[([^\]]*)\]\((?!https:)[^)]+\)/g))
    assert.ok(packaged.includes(`*Screenshot: ${alt}*`), alt);
  assert.ok(packaged.startsWith('# vmbackup'), 'the rest of the README is unchanged');
  assert.equal(packaged.split('\n').length, source.split('\n').length);
});
