import { appendFileSync } from 'node:fs';

const out = process.env.BOTGRAPH_MODULE_LOG;

/** Registered after tsx, so it runs first and sees every module, TypeScript included. */
export async function load(url, context, nextLoad) {
  if (out && url.startsWith('file:')) appendFileSync(out, `${url}\n`);
  return nextLoad(url, context);
}
