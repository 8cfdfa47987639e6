// The clean notebook (lessons/*.ipynb, without outputs) for students to download and run.
import type { APIRoute } from 'astro';
import { readFileSync } from 'node:fs';
import { listLessons, type Lesson } from '../../lib/course';

export function getStaticPaths() {
  return listLessons().map((lesson) => ({ params: { slug: lesson.slug }, props: { lesson } }));
}

export const GET: APIRoute<{ lesson: Lesson }> = ({ props }) =>
  new Response(readFileSync(props.lesson.cleanPath), { headers: { 'Content-Type': 'application/x-ipynb+json' } });
