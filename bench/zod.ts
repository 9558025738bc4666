/**
 * `npx tsx bench/zod.ts`: what zod validation of the inbox's vendor pages costs, per variant of the
 * conversation schema, on real simulator payloads (a CXone export page of 10, a CLOSER page of 10):
 *
 * - **loose** (what botgraph ships): only the fields botgraph reads are checked, every other field
 *   is kept as it came (`z.looseObject`, zod 4's passthrough), so `raw` is the vendor's object;
 * - **strip** (narrowed output): the same checks, unknown keys dropped (a new object of known keys);
 * - **strict**: the same checks, unknown keys refused (it fails on real payloads, which carry fields
 *   botgraph does not read; timed anyway, to the failure);
 * - **none**: `JSON.parse` only, the floor.
 *
 * The variants change the conversation object (the big one); nested objects keep the shipped schema.
 * Bounded: 2,000 parses per variant, in this process, after 200 of warm-up.
 */
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { startCloserSimulator } from '../src/providers/closer/simulator/index.js';
import { startCxoneSimulator } from '../src/providers/cxone/simulator/index.js';
import { closerConversationSchema } from '../src/providers/closer/types.js';
import { cxConversationSchema } from '../src/providers/cxone/types.js';

const N = 2_000;
const closer = await startCloserSimulator({ port: 0 });
const cxone = await startCxoneSimulator({ port: 0 });
const [cxBot, cxToken] = Object.entries(cxone.tokens)[0] as [string, string];
const cxText = await (await fetch(`${cxone.url}/api/public/conversations?perPage=10&token=${encodeURIComponent(cxToken)}`)).text();
const closerText = await (await fetch(`${closer.url}/openapi/conversations?page=1&limit=10`, { headers: { 'x-api-key': closer.apiKey } })).text();
await Promise.all([closer.close(), cxone.close()]);

type Item = z.ZodObject;
const page = (item: z.ZodType) => z.looseObject({ data: z.array(item), total: z.number().nullish() });
const variants = (item: Item) => ({
  loose: page(item),
  strip: page(item.strip()),
  strict: page(item.strict()),
});

function time(label: string, text: string, schema: z.ZodType | null): string {
  const run = () => {
    const data: unknown = JSON.parse(text);
    return schema ? schema.safeParse(data).success : true;
  };
  for (let i = 0; i < 200; i++) run();
  let ok = true;
  const t0 = performance.now();
  for (let i = 0; i < N; i++) ok = run() && ok;
  const us = ((performance.now() - t0) / N) * 1000;
  return `| ${label} | ${us.toFixed(0)} | ${ok ? 'yes' : 'no'} |`;
}

console.log(
  `CXone export page (bot ${cxBot}, 10 conversations, ${(cxText.length / 1024).toFixed(0)} KiB); CLOSER page (10, ${(closerText.length / 1024).toFixed(0)} KiB)\n`,
);
console.log('| payload and schema | µs per page (JSON.parse included) | valid |');
console.log('|:--|--:|:--|');
for (const [name, text, item] of [
  ['CXone', cxText, cxConversationSchema as unknown as Item],
  ['CLOSER', closerText, closerConversationSchema as unknown as Item],
] as const) {
  console.log(time(`${name}, none (JSON.parse only)`, text, null));
  for (const [variant, schema] of Object.entries(variants(item))) console.log(time(`${name}, ${variant}`, text, schema));
}
