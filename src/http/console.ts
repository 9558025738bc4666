import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { sendJson } from './body.js';
import { prepareAsset, sendAsset, type StaticAsset } from './static.js';

/**
 * The reference agent console (examples/console) at `/console`: its page, and its script bundled
 * by esbuild from the TypeScript sources on first request, then kept in memory, compressed and
 * cacheable like GraphiQL's assets. Nothing is fetched from a CDN.
 */

/** The repository root, found from this file whether it runs from src/ (tsx) or dist/ (built). */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'examples', 'console', 'index.html'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('examples/console not found');
    dir = parent;
  }
  return dir;
}

interface ConsoleAssets {
  page: StaticAsset;
  script: StaticAsset;
}

let assets: Promise<ConsoleAssets> | undefined;

async function build(): Promise<ConsoleAssets> {
  const root = join(repoRoot(), 'examples', 'console');
  // esbuild is a devDependency: an install without it serves no console (404 below), nothing else changes.
  const esbuild = await import('esbuild');
  const out = await esbuild.build({
    entryPoints: [join(root, 'src', 'main.ts')],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const script = prepareAsset(Buffer.from(out.outputFiles[0]!.contents), 'text/javascript');
  const html = (await readFile(join(root, 'index.html'), 'utf8')).replace('/console/app.js', `/console/app.js?v=${script.hash}`);
  return { script, page: prepareAsset(Buffer.from(html), 'text/html') };
}

export function consoleRoute(logger: Logger) {
  return async function handleConsole(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    assets ??= build().catch((error: unknown) => {
      logger.warn({ err: error }, 'the agent console could not be built');
      assets = undefined;
      return null as never;
    });
    const built = await assets;
    if (!built) return sendJson(res, 404, { error: 'the console is not available in this installation' });
    if (url.pathname === '/console' || url.pathname === '/console/') {
      // The page names the script by hash; the page itself must revalidate.
      url.searchParams.delete('v');
      return sendAsset(req, res, url, built.page);
    }
    if (url.pathname === '/console/app.js') return sendAsset(req, res, url, built.script);
    return sendJson(res, 404, { error: 'not found' });
  };
}
