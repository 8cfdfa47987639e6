// The social preview image (src/lib/social-preview.ts).
import type { APIRoute } from 'astro';
import { socialPreviewPng } from '../lib/social-preview';

export const GET: APIRoute = async () => new Response(await socialPreviewPng(), { headers: { 'Content-Type': 'image/png' } });
