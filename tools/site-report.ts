/**
 * The site build's report, build/site-report.json: where and for which address the last build went,
 * how long it took, and each page's HTML weight; the browser tests add each page's measured weight
 * (every file it loaded) and time to first render.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { REPO_ROOT } from './jupyter.mjs';
import type { SiteAddress } from './site-address';

export const SITE_REPORT = join(REPO_ROOT, 'build', 'site-report.json');

export interface PageMeasure {
  /** Bytes of every response the page loaded until it was drawn (HTML, CSS, scripts, fonts, figures' data). */
  loadedBytes: number;
  requests: number;
  /** First contentful paint, as the browser reports it. */
  firstRenderMs: number;
}

export interface SitePage {
  /** The page's path under the base, e.g. lessons/03-first-classifier/ ('' for the home page). */
  page: string;
  htmlBytes: number;
  measured?: PageMeasure;
}

export interface SiteReport {
  builtAt: string;
  seconds: number;
  out: string;
  base: string;
  url?: string;
  pages: SitePage[];
  /** When and in which browser the pages were measured. */
  measuredAt?: string;
  browser?: string;
}

function htmlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? htmlFiles(path) : entry.name.endsWith('.html') ? [path] : [];
  });
}

export function writeSiteReport(build: { out: string; address: SiteAddress; seconds: number }): SiteReport & { heaviest: string } {
  const pages = htmlFiles(build.out)
    .map((file) => ({ page: relative(build.out, file).split(sep).join('/').replace(/(^|\/)index\.html$/, '$1'), htmlBytes: statSync(file).size }))
    .sort((a, b) => a.page.localeCompare(b.page));
  const report: SiteReport = {
    builtAt: new Date().toISOString(),
    seconds: Math.round(build.seconds * 10) / 10,
    out: build.out,
    base: build.address.base,
    url: build.address.url,
    pages,
  };
  writeFileSync(SITE_REPORT, `${JSON.stringify(report, null, 1)}\n`);
  const heaviest = pages.reduce((a, b) => (b.htmlBytes > a.htmlBytes ? b : a));
  return { ...report, heaviest: `${heaviest.page || 'the home page'} (${(heaviest.htmlBytes / 1024).toFixed(0)} KiB of HTML)` };
}

export function readSiteReport(): SiteReport {
  return JSON.parse(readFileSync(SITE_REPORT, 'utf8')) as SiteReport;
}

/** The browser tests' measurements, added to the report of the build they measured. */
export function addMeasurements(measured: Map<string, PageMeasure>, browser: string): void {
  const report = readSiteReport();
  for (const page of report.pages) page.measured = measured.get(page.page) ?? page.measured;
  writeFileSync(SITE_REPORT, `${JSON.stringify({ ...report, measuredAt: new Date().toISOString(), browser }, null, 1)}\n`);
}
