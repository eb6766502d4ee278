// The documentation's links lead somewhere: every in-page `#anchor` in the README, the
// configuration reference, the operator guides (config/guides/) and every folder's own
// README.md names a heading (slugged as GitHub does, with github-slugger), and every
// relative link names a file in the repository (and a heading in it, for `file.md#x`).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, it } from 'node:test';
import GithubSlugger from 'github-slugger';

/** Markdown files under `dir` (recursively), repository-relative. */
const markdownUnder = (dir: string): string[] =>
  existsSync(dir) ? readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.md')).map((f) => join(dir, f)).sort() : [];

/** The front door, the configuration reference and guides, and each folder's README. */
const DOCS = ['README.md', 'config/README.md', ...markdownUnder('config/guides'), ...['src', 'test'].flatMap(markdownUnder).filter((f) => f.endsWith('README.md'))];

/** The document's lines, fenced code blocks (and their fences) blanked so numbering holds. */
function outsideFences(markdown: string): string[] {
  let fence: string | undefined;
  return markdown.split('\n').map((line) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (!fence || marker.startsWith(fence))) {
      fence = fence ? undefined : marker;
      return '';
    }
    return fence ? '' : line;
  });
}

/** The anchors GitHub makes for a document: one per heading (duplicates numbered), plus explicit ids. */
function anchorsOf(markdown: string): Set<string> {
  const slugger = new GithubSlugger();
  const anchors = new Set<string>();
  for (const line of outsideFences(markdown)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line)?.[1];
    if (heading !== undefined) {
      // What GitHub slugs is the heading's text: link text, no markup, no HTML.
      const text = heading.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/<[^>]+>/g, '');
      anchors.add(slugger.slug(text));
    }
    for (const [, id] of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) if (id) anchors.add(id);
  }
  return anchors;
}

/** Each Markdown link target outside code, with its line number. */
function linksOf(markdown: string): { target: string; line: number }[] {
  const prose = outsideFences(markdown).map((line) => line.replace(/(`+)[^`]*?\1/g, (code) => ' '.repeat(code.length)));
  return prose.flatMap((text, i) => [...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => ({ target: m[1] ?? '', line: i + 1 })));
}

/** Problems with one document's links, as "file:line target: why". */
function brokenLinks(doc: string, markdown: string, read: (path: string) => string | undefined): string[] {
  const problems: string[] = [];
  const own = anchorsOf(markdown);
  for (const { target, line } of linksOf(markdown)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:: not ours to check offline
    const [path = '', anchor] = target.split('#', 2);
    const at = `${doc}:${line} ${target}`;
    if (!path) {
      if (anchor === undefined || !own.has(decodeURIComponent(anchor))) problems.push(`${at}: no heading with that anchor in ${doc}`);
      continue;
    }
    const file = normalize(join(dirname(doc), decodeURIComponent(path)));
    const content = read(file);
    if (content === undefined) {
      problems.push(`${at}: ${file} does not exist`);
    } else if (anchor !== undefined && file.endsWith('.md') && !anchorsOf(content).has(decodeURIComponent(anchor))) {
      problems.push(`${at}: no heading with that anchor in ${file}`);
    }
  }
  return problems;
}

const readRepo = (path: string): string | undefined => (existsSync(path) ? (path.endsWith('/') ? '' : readFileSync(path, 'utf8')) : undefined);

describe('documentation links', () => {
  for (const doc of DOCS) {
    it(`${doc}: every in-page anchor and relative link resolves`, () => {
      const markdown = readFileSync(doc, 'utf8');
      assert.ok(linksOf(markdown).length > 0, `${doc} has links to check`);
      assert.deepEqual(brokenLinks(doc, markdown, readRepo), []);
    });
  }

  it('covers the operator guides and the contributor guide', () => {
    for (const doc of ['config/guides/deployment.md', 'config/guides/redis.md', 'config/guides/operations.md', 'test/README.md', 'test/bench/README.md']) assert.ok(DOCS.includes(doc), doc);
  });

  it('anchors follow GitHub: lower case, punctuation dropped, spaces to hyphens, duplicates numbered', () => {
    const anchors = anchorsOf('# Health IdP\n## Onboarding a client application (EP-10)\n### Tests\n### Tests\n## `npm run schema` & you\n```\n# not a heading\n```\n');
    assert.deepEqual([...anchors], ['health-idp', 'onboarding-a-client-application-ep-10', 'tests', 'tests-1', 'npm-run-schema--you']);
  });

  it('finds a broken anchor, a missing file and a missing anchor in another file, and ignores code', () => {
    const doc = [
      '# Title',
      'See [onboarding](#onboarding-a-client-application) and [title](#title).',
      'The [reference](config/README.md#no-such-field), [a file](missing.md), [ok](config/README.md#secrets).',
      '`[not a link](#nowhere)`',
      '```',
      '[not a link either](#nowhere)',
      '```',
    ].join('\n');
    assert.deepEqual(brokenLinks('README.md', doc, readRepo), [
      'README.md:2 #onboarding-a-client-application: no heading with that anchor in README.md',
      'README.md:3 config/README.md#no-such-field: no heading with that anchor in config/README.md',
      'README.md:3 missing.md: missing.md does not exist',
    ]);
  });
});
