/**
 * A lesson links to a page of the site's docs by its file in the repository, so that the link also
 * works in Jupyter and on GitHub: `../site/src/content/docs/under-the-hood.md#lesson-6`. On the site
 * it becomes the page's own address, `/under-the-hood/#lesson-6`.
 */
export function docsPageLink(url: string): string | undefined {
  const match = /^(?:\.\.\/)?site\/src\/content\/docs\/([a-z0-9-]+)\.md(#.*)?$/.exec(url);
  return match ? `/${match[1]}/${match[2] ?? ''}` : undefined;
}
