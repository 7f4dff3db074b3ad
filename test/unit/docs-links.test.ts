import { fileURLToPath } from 'node:url';
import {
  ALLOWED_EXTERNAL_LINKS, PROBLEMS, anchorsOf, checkLinks, documentationPages, githubSlug, linksOf, readPages,
} from '../support/markdown-links.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('the documentation pages', () => {
  const pages = readPages(root);

  it('are the README and the pages under docs/', () => {
    expect(documentationPages(root)).toEqual(expect.arrayContaining([
      'README.md', 'docs/api.md', 'docs/deployment.md', 'docs/design.md', 'docs/local-development.md',
      'docs/operations.md', 'docs/performance.md', 'docs/pipelines.md', 'docs/testing.md',
    ]));
  });

  it('link only to files and headings inside the repository', () => {
    expect(checkLinks(root, pages)).toEqual([]);
  });

  it('are all reachable from the README', () => {
    const linked = new Set(linksOf(pages.get('README.md')!).map(({ target }) => target.split('#')[0]));
    const unlinked = [...pages.keys()].filter((page) => page !== 'README.md' && !linked.has(page));
    expect(unlinked).toEqual([]);
  });

  it('link to no site outside the repository at all', () => {
    expect(ALLOWED_EXTERNAL_LINKS).toEqual([]);
  });
});

describe('the link checker', () => {
  // A page with one defect of each kind, and links that are fine, among code it must not read.
  const page = [
    '# Injected',                                             // 1
    '## A `code` heading — with (punctuation)',              // 2
    '[fine](../README.md#the-flow-with-curl)',                // 3
    '[fine, same page](#a-code-heading--with-punctuation)',   // 4
    '[fine, a folder](../test/unit/)',                        // 5
    '[missing file](no-such-page.md)',                        // 6
    '[missing anchor](api.md#no-such-heading)',               // 7
    'See [the spec](../../shared/CONTRACT.md) for more.',     // 8
    '[external](https://example.com/) and <https://example.org>', // 9
    'bare: http://example.net/x',                             // 10
    '```sh',                                                  // 11
    '[in a fence](nowhere.md) http://example.com',            // 12
    '```',                                                    // 13
    '`[in a code span](nowhere.md)` and [missing here](#nope)', // 14
    '[anchor into YAML](../openapi.yaml#/paths)',             // 15
    '[root-absolute](/docs/api.md)',                          // 16
    '[ref]: ../../outside.md',                                // 17
  ].join('\n');

  it('finds each injected defect, on its line, and nothing else', () => {
    const findings = checkLinks(root, new Map([['docs/injected.md', page]]));
    expect(findings.map(({ line, target, problem }) => [line, target, problem])).toEqual([
      [6, 'no-such-page.md', PROBLEMS.missingFile],
      [7, 'api.md#no-such-heading', PROBLEMS.missingAnchor],
      [8, '../../shared/CONTRACT.md', PROBLEMS.outside],
      [9, 'https://example.com/', PROBLEMS.external],
      [9, 'https://example.org', PROBLEMS.external],
      [10, 'http://example.net/x', PROBLEMS.external],
      [14, '#nope', PROBLEMS.missingAnchor],
      [15, '../openapi.yaml#/paths', PROBLEMS.uncheckedAnchor],
      [16, '/docs/api.md', PROBLEMS.absolute],
      [17, '../../outside.md', PROBLEMS.outside],
    ]);
  });

  it('catches the README link that pointed outside the repository', () => {
    const readme = 'The contract is [`../shared/CONTRACT.md`](../shared/CONTRACT.md).';
    expect(checkLinks(root, new Map([['README.md', readme]]))).toEqual([
      { page: 'README.md', line: 1, target: '../shared/CONTRACT.md', problem: PROBLEMS.outside },
    ]);
  });

  it.each([
    ['Decisions where the specification was silent', 'decisions-where-the-specification-was-silent'],
    ['The lean/full split', 'the-leanfull-split'],
    ['`npm start`', 'npm-start'],
    ['Figures (2026-11-28 run)', 'figures-2026-11-28-run'],
    ['Data model: single-item conditional writes only', 'data-model-single-item-conditional-writes-only'],
    ['Rotation — both forms', 'rotation--both-forms'],
    ['`TABLE_NAME` and [links](x.md)', 'table_name-and-links'],
  ])('gives the heading %j the anchor GitHub gives it: %s', (heading, slug) => {
    expect(githubSlug(heading)).toBe(slug);
  });

  it('numbers repeated headings as GitHub does, and ignores headings in code', () => {
    expect([...anchorsOf('# Notes\n## Notes\n```\n# not a heading\n```\n### Notes #\n')])
      .toEqual(['notes', 'notes-1', 'notes-2']);
  });
});
