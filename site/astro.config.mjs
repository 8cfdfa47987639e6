// The course site: Starlight gives navigation, search (pagefind), themes and the mobile layout; the
// lesson pages are rendered from the executed notebooks by src/pages/lessons/[slug].astro.
import starlight from '@astrojs/starlight';
import { defineConfig } from 'astro/config';
import { fileURLToPath } from 'node:url';

// The course is the folder above site/; the pages read lessons/, build/lessons/ and build/models/ there.
process.env.COURSE_ROOT ??= fileURLToPath(new URL('..', import.meta.url));
const { listLessons } = await import('./src/lib/course.ts');
// Published under a sub-path (a GitHub project page) and at a public URL when tools/site.ts says so;
// with a URL, Starlight adds a sitemap, canonical links and the og:url of social previews.
const { parseSiteAddress } = await import('../tools/site-address.ts');
const address = parseSiteAddress({ base: process.env.COURSE_SITE_BASE, url: process.env.COURSE_SITE_URL });

const { SOCIAL_PREVIEW } = await import('./src/lib/social-preview.ts');
const socialPreviewTags = (image) => [
  { tag: 'meta', attrs: { property: 'og:image', content: image } },
  { tag: 'meta', attrs: { property: 'og:image:width', content: String(SOCIAL_PREVIEW.width) } },
  { tag: 'meta', attrs: { property: 'og:image:height', content: String(SOCIAL_PREVIEW.height) } },
  { tag: 'meta', attrs: { property: 'og:image:alt', content: SOCIAL_PREVIEW.alt } },
];

export default defineConfig({
  base: address.base,
  // The origin only: Astro adds the base to every path it writes, the sitemap's and canonical links' too.
  site: address.url && new URL(address.url).origin,
  // tools/site.ts builds into dist/ and moves it to build/site/ (building straight outside the project
  // leaves Astro's .astro/ files in the output); it previews build/site/ with SITE_OUT=../build/site.
  outDir: process.env.SITE_OUT ?? './dist',
  // Everything the site needs is in the build; nothing is fetched from elsewhere at run time.
  telemetry: false,
  server: { host: '127.0.0.1' },
  vite: {
    // TensorFlow.js and plotly.js are large by nature; the warning would only be noise.
    build: { chunkSizeWarningLimit: 4000 },
  },
  integrations: [
    starlight({
      title: 'Deep learning in TypeScript',
      description: 'A course in executable notebooks: TensorFlow.js on MNIST, from linear regression to LeNet.',
      customCss: ['./src/styles/course.css'],
      // With a public URL, a link to any page previews with the course's image (src/lib/social-preview.ts).
      head: address.url ? socialPreviewTags(new URL(SOCIAL_PREVIEW.path, address.url).href) : [],
      lastUpdated: false,
      sidebar: [
        { label: 'Home', link: '/' },
        {
          label: 'Lessons',
          items: listLessons().map((lesson) => ({ label: `${lesson.number}. ${lesson.title}`, link: `/lessons/${lesson.slug}/` })),
        },
        { label: 'Live demo: draw a digit', link: '/demo/' },
        { label: 'Running the course', link: '/running/' },
        { label: 'Under the hood', link: '/under-the-hood/' },
      ],
    }),
  ],
});
