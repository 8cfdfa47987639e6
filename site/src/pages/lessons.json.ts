// What the site was built from, for tools and the browser tests: one entry per lesson page, with what
// the page must show (the tests compare the page with this, not with notebooks that may have changed since).
import type { APIRoute } from 'astro';
import { listLessons } from '../lib/course';
import { renderLesson } from '../lib/notebook';

export const GET: APIRoute = () => {
  const lessons = listLessons().map((lesson) => {
    const page = renderLesson(lesson);
    return {
      number: lesson.number,
      slug: lesson.slug,
      title: lesson.title,
      executed: lesson.executedPath !== undefined,
      passed: lesson.meta.results?.passed,
      plots: page.plots,
      math: page.blocks.some((block) => block.kind === 'markdown' && block.html.includes('class="katex"')),
    };
  });
  return new Response(JSON.stringify(lessons, null, 1), { headers: { 'Content-Type': 'application/json' } });
};
