/**
 * The site can be published under a sub-path (a GitHub project page: https://<user>.github.io/<repo>/);
 * every link the site's own code writes goes through withBase. Astro sets BASE_URL from `base` in
 * astro.config.mjs; outside Vite (unit tests) it is the root.
 */
const env = (import.meta as ImportMeta & { env?: { BASE_URL?: string } }).env;
export const BASE = (env?.BASE_URL ?? '/').replace(/\/?$/, '/');

/** withBase('/lessons/01-x/') is '/deep-learning-ts/lessons/01-x/' under that base. */
export function withBase(path: string): string {
  return BASE + path.replace(/^\//, '');
}
