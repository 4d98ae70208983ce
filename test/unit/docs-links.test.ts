import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Every relative link in README.md and docs/*.md must reach a file (and a heading, for #anchors). */
const root = resolve(__dirname, '../..');
const docs = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
}

function anchors(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#+ (.+)$/gm)].map((m) => slug(m[1]!)));
}

function relativeLinks(file: string): string[] {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!)
    .filter((href) => !/^[a-z]+:/i.test(href));
}

describe('documentation links', () => {
  test.each(docs)('%s: every relative link resolves', (doc) => {
    const file = join(root, doc);
    const broken: string[] = [];
    for (const href of relativeLinks(file)) {
      const [path, anchor] = href.split('#') as [string, string | undefined];
      const target = path === '' ? file : resolve(dirname(file), path);
      if (!existsSync(target)) broken.push(href);
      else if (anchor && target.endsWith('.md') && !anchors(target).has(anchor)) broken.push(href);
    }
    expect(broken).toEqual([]);
  });

  test('README links every doc in docs/', () => {
    const linked = new Set(relativeLinks(join(root, 'README.md')).map((h) => h.split('#')[0]));
    const missing = docs.filter((d) => d.startsWith('docs/') && !linked.has(d));
    expect(missing).toEqual([]);
  });
});
