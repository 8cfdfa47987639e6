/**
 * Where the site is published: its base path (`/` at the root of a domain, `/<repo>/` on a GitHub
 * project page) and its public URL (for the sitemap, canonical links and social previews). Read from
 * flags or COURSE_SITE_BASE / COURSE_SITE_URL by tools/site.ts and by site/astro.config.mjs.
 */
export interface SiteAddress {
  /** Starts and ends with '/'. */
  base: string;
  /** The public URL of the base, e.g. https://user.github.io/repo/, when known. */
  url?: string;
}

export function parseSiteAddress(input: { base?: string; url?: string }): SiteAddress {
  const url = input.url ? parseUrl(input.url) : undefined;
  const base = input.base ? parseBase(input.base) : url ? url.pathname : '/';
  if (url && input.base && url.pathname !== '/' && url.pathname !== base) {
    throw new Error(`The site URL ${url.href} ends in ${url.pathname} but the base is ${base}: give the URL without a path, or the same path as the base.`);
  }
  return { base, url: url ? new URL(base, url.origin).href : undefined };
}

function parseBase(base: string): string {
  const segments = base.replace(/^\/|\/$/g, '').split('/');
  if (base !== '/' && !segments.every((segment) => /^[\w.~-]+$/.test(segment) && !/^\.+$/.test(segment))) {
    throw new Error(`The site base "${base}" is not a path: give one like /deep-learning-ts/ (COURSE_SITE_BASE or --base).`);
  }
  return `/${base.replace(/^\/|\/$/g, '')}/`.replace(/^\/\/$/, '/');
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`The site URL "${text}" is not a URL: give one like https://user.github.io/deep-learning-ts/ (COURSE_SITE_URL or --site-url).`);
  }
  if (!['http:', 'https:'].includes(url.protocol)) throw new Error(`The site URL "${text}" must start with https:// or http:// (COURSE_SITE_URL or --site-url).`);
  if (url.search || url.hash) throw new Error(`The site URL "${text}" must not have a query or a #fragment (COURSE_SITE_URL or --site-url).`);
  url.pathname = parseBase(url.pathname === '/' ? '/' : url.pathname);
  return url;
}
