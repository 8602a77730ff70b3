// The docs name files of this repository only: every relative link resolves to a file here
// (and its #anchor to a heading or an <a id> there), and no doc points at a path of the build
// machine or at reference material that ships elsewhere.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';

const ROOT = resolve(import.meta.dirname, '../..');
const DOCS = [
  'README.md',
  'ARCHITECTURE.md',
  'CHANGELOG.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** GitHub's heading anchors: lower case, punctuation dropped (not `_` or `-`), blanks to '-'. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/<[^>]+>/g, '')
    .replace(/[`*~]/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) {
      const base = slug(heading[1]!);
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      anchors.add(count === 0 ? base : `${base}-${count}`);
    }
    for (const id of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(id[1]!);
  }
  return anchors;
}

/** Markdown links and images outside code: [text](target) and ![alt](target). */
function linksOf(markdown: string): string[] {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...withoutCode.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);
}

test('slugs follow GitHub: punctuation dropped, blanks become dashes', () => {
  assert.equal(slug('A backup run'), 'a-backup-run');
  assert.equal(slug('`vm-export` and `:N` (keep N)'), 'vm-export-and-n-keep-n');
  assert.equal(slug('`vmbackup verify BACKUP_FOLDER...`'), 'vmbackup-verify-backup_folder');
});

test('every relative link in the docs resolves to a file of this repository and an anchor in it', () => {
  const broken: string[] = [];
  for (const doc of DOCS) {
    const text = readFileSync(join(ROOT, doc), 'utf8');
    for (const link of linksOf(text)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue; // http:, https:, mailto:, command:
      const [path, anchor] = link.split('#') as [string, string | undefined];
      const target = path === '' ? join(ROOT, doc) : resolve(ROOT, dirname(doc), decodeURI(path));
      if (!target.startsWith(ROOT + '/') || !existsSync(target)) {
        broken.push(`${doc}: ${link} (no such file in the repository)`);
        continue;
      }
      if (anchor && target.endsWith('.md') && !anchorsOf(readFileSync(target, 'utf8')).has(anchor)) {
        broken.push(`${doc}: ${link} (no heading or anchor "${anchor}" in ${relative(ROOT, target)})`);
      }
    }
  }
  assert.deepEqual(broken, []);
});

test('no doc names a path of the build machine or reference files that are not in the repository', () => {
  const offenders: string[] = [];
  for (const doc of DOCS) {
    readFileSync(join(ROOT, doc), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (/\/work\/|\bshared\/(?:reference|design)\b|vmbackup-behaviour\.md|xapi-fidelity-notes\.md/.test(line)) {
          offenders.push(`${doc}:${i + 1}: ${line.trim()}`);
        }
      });
  }
  assert.deepEqual(offenders, []);
});
