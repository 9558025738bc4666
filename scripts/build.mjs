/**
 * `npm run build` (and `prestart`): transpiles src/ to dist/ with esbuild, file by file (no
 * bundle), in about a second. Types are checked by `npm run typecheck` / `npm test`, not here, so
 * that `npm ci && npm start` stays fast; `node dist/main.js` is what runs, so SIGTERM reaches
 * botgraph itself and drains.
 */
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { build } from 'esbuild';

function filesOf(dir, keep) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesOf(path, keep);
    return keep(path) ? [path] : [];
  });
}
const tsFiles = (dir) => filesOf(dir, (path) => path.endsWith('.ts') && !path.endsWith('.d.ts'));

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

// JSON modules (the CXone simulator's vendor example) are imported as they are: copied, not transpiled.
for (const file of filesOf('src', (path) => path.endsWith('.json'))) {
  const target = join('dist', relative('src', file));
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(file, target);
}
