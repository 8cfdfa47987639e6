// The executed notebook (build/lessons/*.ipynb): what the lesson page shows, with every output and
// every point of its curves, for readers who want to look without running it.
import type { APIRoute } from 'astro';
import { readFileSync } from 'node:fs';
import { listLessons } from '../../../lib/course';

export function getStaticPaths() {
  return listLessons().flatMap((lesson) => (lesson.executedPath ? [{ params: { slug: lesson.slug }, props: { path: lesson.executedPath } }] : []));
}

export const GET: APIRoute<{ path: string }> = ({ props }) =>
  new Response(readFileSync(props.path), { headers: { 'Content-Type': 'application/x-ipynb+json' } });
