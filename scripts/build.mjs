/**
 * `npm run build` (and `prestart`): transpiles src/ to dist/ with esbuild, file by file (no
 * bundle), in about a second. Types are checked by `npm run typecheck` / `npm test`, not here, so
 * that `npm ci && npm start` stays fast; `node dist/main.js` is what runs, so SIGTERM reaches
 * botgraph itself and drains.
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

function tsFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

rmSync('dist', { recursive: true, force: true });
await build({
  entryPoints: tsFiles('src'),
  outdir: 'dist',
  outbase: 'src',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
});
