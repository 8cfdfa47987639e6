// The demo's model: the files a lesson saved (model.json and its weight shards), copied into the site.
import type { APIRoute } from 'astro';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoModel } from '../../lib/course';

export function getStaticPaths() {
  const model = demoModel();
  if (!model) return [];
  return model.files.map((file) => ({ params: { file: `${model.name}/${file}` }, props: { path: join(model.dir, file) } }));
}

export const GET: APIRoute<{ path: string }> = ({ props }) => new Response(readFileSync(props.path));
