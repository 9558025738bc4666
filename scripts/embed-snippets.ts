/**
 * Copies each snippet file into the Markdown that shows it, so a guide shows exactly what its
 * tests run. A block is marked `<!-- snippet: path -->` before its code fence (Prettier puts a blank
 * line between them; both forms are read).
 * `npm run docs:snippets` rewrites the guides; test/clients/guide.test.ts fails when one is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export const GUIDES = ['docs/clients.md'];

const BLOCK = /(<!-- snippet: (\S+) -->\n\n?)```(\w*)\n(?:[\s\S]*?\n)??```/g;

export function embed(markdown: string, read: (path: string) => string): string {
  return markdown.replace(BLOCK, (_all, marker: string, path: string, lang: string) => `${marker}\`\`\`${lang}\n${read(path).trimEnd()}\n\`\`\``);
}

export function snippetPaths(markdown: string): string[] {
  return [...markdown.matchAll(BLOCK)].map((m) => m[2]!);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const guide of GUIDES) {
    const before = readFileSync(guide, 'utf8');
    const after = embed(before, (path) => readFileSync(path, 'utf8'));
    if (after !== before) writeFileSync(guide, after);
    console.log(`${guide}: ${snippetPaths(after).length} snippets${after === before ? '' : ' (updated)'}`);
  }
}
