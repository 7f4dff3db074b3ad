import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, posix } from 'node:path';

/**
 * The links of the repository's Markdown pages, checked as a reader of a fresh clone would follow
 * them on GitHub: a relative link must name a file or folder inside the repository, and an anchor
 * must name a heading of the Markdown page it points into. Nothing may leave the repository: the
 * pages are read in clones that hold nothing else, sometimes offline.
 */

export interface LinkFinding {
  readonly page: string;
  readonly line: number;
  readonly target: string;
  readonly problem: string;
}

/** Sites outside the repository a page may link to (URL prefixes). None: the pages are self-contained. */
export const ALLOWED_EXTERNAL_LINKS: readonly string[] = [];

export const PROBLEMS = {
  external: 'leaves the repository (an external URL)',
  outside: 'leaves the repository (resolves outside its root)',
  absolute: 'is an absolute path (write it relative to the page)',
  missingFile: 'names a file that does not exist',
  missingAnchor: 'names a heading that does not exist',
  uncheckedAnchor: 'has an anchor into a file that is not Markdown',
} as const;

/** README.md and every Markdown page under docs/, as repository-relative POSIX paths. */
export function documentationPages(root: string): string[] {
  const walk = (folder: string): string[] =>
    readdirSync(join(root, folder), { withFileTypes: true }).flatMap((entry) => {
      const path = posix.join(folder, entry.name);
      if (entry.isDirectory()) return walk(path);
      return entry.name.endsWith('.md') ? [path] : [];
    });
  return ['README.md', ...(existsSync(join(root, 'docs')) ? walk('docs') : [])].sort();
}

/**
 * The anchor GitHub gives a heading: its text as rendered (code spans and link texts kept, markup
 * dropped), lower-cased, without punctuation but hyphens and underscores, spaces as hyphens.
 */
export function githubSlug(heading: string): string {
  return heading
    .replace(/(`+)(.*?)\1/g, '$2')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]*>/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

interface Line {
  readonly number: number;
  /** The line without its code spans; undefined inside a fenced code block. */
  readonly prose: string | undefined;
  readonly raw: string;
}

/** Lines with fenced code blocks blanked out and code spans removed: neither holds links. */
function proseLines(markdown: string): Line[] {
  let fence: string | undefined;
  return markdown.split('\n').map((raw, index) => {
    const opener = /^ {0,3}(`{3,}|~{3,})/.exec(raw)?.[1];
    if (fence !== undefined) {
      if (opener !== undefined && opener[0] === fence[0] && opener.length >= fence.length) fence = undefined;
      return { number: index + 1, prose: undefined, raw };
    }
    if (opener !== undefined) {
      fence = opener;
      return { number: index + 1, prose: undefined, raw };
    }
    return { number: index + 1, prose: raw.replace(/(`+).*?\1/g, ''), raw };
  });
}

/** The anchors a page offers: its ATX headings' slugs (repeats numbered as GitHub does), and HTML ids. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { prose, raw } of proseLines(markdown)) {
    if (prose === undefined) continue;
    for (const [, id] of prose.matchAll(/<a\s[^>]*(?:name|id)="([^"]+)"/g)) anchors.add(id!);
    const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(raw);
    if (!heading) continue;
    const slug = githubSlug(heading[1]!);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** Every link target of a page, with its line: inline links and images, reference definitions, autolinks, bare URLs, HTML hrefs. */
export function linksOf(markdown: string): { line: number; target: string }[] {
  const links: { line: number; target: string }[] = [];
  for (const { number, prose } of proseLines(markdown)) {
    if (prose === undefined) continue;
    let rest = prose;
    const take = (pattern: RegExp) => {
      rest = rest.replace(pattern, (...match: string[]) => {
        links.push({ line: number, target: match[1]! });
        return ' ';
      });
    };
    take(/!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]*)>?(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g);
    take(/^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/g);
    take(/href="([^"]*)"/g);
    take(/<((?:[a-z][a-z0-9+.-]*:|www\.)[^>\s]*)>/gi);
    take(/((?:https?:\/\/|www\.)[^\s<>)\]]+)/gi);
  }
  return links;
}

/**
 * The broken links of the given pages (repository-relative path → text). A linked Markdown page
 * is taken from `pages` when it is there, else read from disk; files must exist under `root`.
 */
export function checkLinks(root: string, pages: ReadonlyMap<string, string>): LinkFinding[] {
  const anchorCache = new Map<string, Set<string>>();
  const anchorsOfPage = (path: string): Set<string> => {
    let anchors = anchorCache.get(path);
    if (!anchors) {
      anchors = anchorsOf(pages.get(path) ?? readFileSync(join(root, path), 'utf8'));
      anchorCache.set(path, anchors);
    }
    return anchors;
  };
  const exists = (path: string) => pages.has(path) || existsSync(join(root, path));

  const findings: LinkFinding[] = [];
  for (const [page, markdown] of pages) {
    for (const { line, target } of linksOf(markdown)) {
      const problem = problemOf(page, target);
      if (problem) findings.push({ page, line, target, problem });
    }
  }
  return findings;

  function problemOf(page: string, target: string): string | undefined {
    if (/^(?:[a-z][a-z0-9+.-]*:|\/\/|www\.)/i.test(target)) {
      return ALLOWED_EXTERNAL_LINKS.some((prefix) => target.startsWith(prefix)) ? undefined : PROBLEMS.external;
    }
    const hash = target.indexOf('#');
    const pathPart = decodeURI(hash < 0 ? target : target.slice(0, hash));
    const anchor = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
    if (pathPart.startsWith('/')) return PROBLEMS.absolute;

    const resolved = pathPart === '' ? page : posix.normalize(posix.join(posix.dirname(page), pathPart)).replace(/\/$/, '');
    if (resolved === '..' || resolved.startsWith('../')) return PROBLEMS.outside;
    if (!exists(resolved)) return PROBLEMS.missingFile;
    if (anchor === undefined) return undefined;
    if (!resolved.endsWith('.md')) return PROBLEMS.uncheckedAnchor;
    return anchorsOfPage(resolved).has(anchor) ? undefined : PROBLEMS.missingAnchor;
  }
}

/** The real pages of the repository at `root`, read from disk. */
export function readPages(root: string): Map<string, string> {
  return new Map(documentationPages(root).map((page) => [page, readFileSync(join(root, page), 'utf8')]));
}
