// Writes dist/README.md, the README the .vsix carries (vsce --readme-path): the extension's
// details page in VS Code renders it in a webview that keeps only http(s) image sources (its
// sanitizer drops relative and data: ones), allows only https: images (its
// Content-Security-Policy) and has no base URL. A relative screenshot path is a broken image
// there, and this project has no published https address to point it to. So every image
// that is not https becomes its caption; README.md itself keeps the images.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** `*Screenshot: alt*` for an image the details page cannot show; https images stay. */
export function readmeForDetailsPage(markdown) {
  const caption = (alt, src) => (/^https:\/\//i.test(src) ? null : `*Screenshot: ${alt.trim() || src}*`);
  return markdown
    .replace(/!\[([^\]]*)\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g, (all, alt, src) => caption(alt, src) ?? all)
    .replace(/<img\b[^>]*>/gi, (all) => {
      const src = /\ssrc=["']([^"']*)["']/i.exec(all)?.[1] ?? '';
      const alt = /\salt=["']([^"']*)["']/i.exec(all)?.[1] ?? '';
      return caption(alt, src) ?? all;
    });
}

/** Writes the details-page README to `out` (atomically: several packagings may share dist/). */
export function writeDetailsPageReadme(out = join(root, 'dist', 'README.md')) {
  mkdirSync(dirname(out), { recursive: true });
  const temporary = `${out}.${process.pid}.tmp`;
  writeFileSync(temporary, readmeForDetailsPage(readFileSync(join(root, 'README.md'), 'utf8')));
  renameSync(temporary, out);
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) writeDetailsPageReadme();
