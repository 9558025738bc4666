import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ADAPTERS } from '../providers/registry.js';
import { prepareAsset, type StaticAsset } from './static.js';

/**
 * GraphiQL served entirely from this package: the UMD builds of graphiql 3, React 18 and graphql-ws
 * are read from node_modules, so the explorer works on a machine with no internet access.
 */

const require = createRequire(import.meta.url);

/** The only files `/graphiql/*` serves: a fixed map, so no request path ever reaches the file system. */
const ASSETS: Record<string, { pkg: string; file: string; type: string }> = {
  'react.js': { pkg: 'react', file: 'umd/react.production.min.js', type: 'text/javascript' },
  'react-dom.js': { pkg: 'react-dom', file: 'umd/react-dom.production.min.js', type: 'text/javascript' },
  'graphiql.js': { pkg: 'graphiql', file: 'graphiql.min.js', type: 'text/javascript' },
  'graphiql.css': { pkg: 'graphiql', file: 'graphiql.min.css', type: 'text/css' },
  'graphql-ws.js': { pkg: 'graphql-ws', file: 'umd/graphql-ws.min.js', type: 'text/javascript' },
};

const cache = new Map<string, StaticAsset>();

function packageDir(pkg: string): string {
  const manifest = require.resolve(`${pkg}/package.json`);
  return manifest.slice(0, -'package.json'.length);
}

/** One asset, read and compressed (brotli, gzip) on first use, then kept in memory. */
export function graphiqlAsset(name: string): StaticAsset | undefined {
  const asset = ASSETS[name];
  if (!asset) return undefined;
  let prepared = cache.get(name);
  if (!prepared) {
    prepared = prepareAsset(readFileSync(packageDir(asset.pkg) + asset.file), asset.type);
    cache.set(name, prepared);
  }
  return prepared;
}

/** An asset's URL with its content hash, so that browsers may cache it as immutable. */
function assetUrl(name: string): string {
  return `/graphiql/${name}?v=${graphiqlAsset(name)?.hash ?? ''}`;
}

/** The example tabs GraphiQL opens with (exported for the test that runs them). */
export const EXAMPLES: { title: string; query: string }[] = [
  {
    title: 'All providers',
    query: `# Conversations from every enabled provider, newest first, behind one cursor.
query AllProviders {
  providers { provider enabled mode healthy capabilities }
  conversations(first: 30) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      provider title status handoff updatedAt
      bot { name }
      endUser { name }
      messages(first: 5) { nodes { sender text } }
    }
  }
}
`,
  },
  // Then one tab per provider, from its adapter.
  ...ADAPTERS.flatMap((a) => (a.example ? [{ title: a.label, query: a.example }] : [])),
  {
    title: 'Dashboard',
    query: `# Analytics (docs/stats.md): the last 7 days by day, status and provider, in Moscow time.
# Past days come from botgraph's aggregates (0 vendor calls once read); \`exact\` and
# \`countLow\`/\`countHigh\` say how sure each number is. Run it twice and compare \`upstreamCalls\`.
# Live: change \`query\` to \`subscription\` and \`conversationStats\` to \`conversationStatsChanged\`.
query Dashboard {
  conversationStats(groupBy: [PROVIDER, STATUS], bucket: DAY, timezone: "Europe/Moscow",
                    filter: { createdFrom: "${'$'}{SEVEN_DAYS_AGO}" }) {
    total exact upstreamCalls
    groups {
      key { bucketStart provider status }
      count exact completionRate handoffRate
      duration { mean p50 p90 }
    }
  }
  intents: conversationStats(groupBy: [INTENT], filter: { providers: [CXONE] }) {
    groups { key { intent } count fallbackRate intentConfidence { mean shareBelow } firstResponse { p50 } }
  }
}
`,
  },
];

/** The page GraphiQL runs in. Everything it loads comes from `/graphiql/…` on this server. */
export function graphiqlHtml(): string {
  // The dashboard's window starts 7 days before the page was served, at midnight UTC.
  const since = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 6 * 86_400_000).toISOString();
  const tabs = JSON.stringify(EXAMPLES.map((e) => ({ query: e.query.replace('${SEVEN_DAYS_AGO}', since) }))).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>botgraph · GraphiQL</title>
<link rel="stylesheet" href="${assetUrl('graphiql.css')}" />
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="${assetUrl('react.js')}"></script>
<script src="${assetUrl('react-dom.js')}"></script>
<script src="${assetUrl('graphql-ws.js')}"></script>
<script src="${assetUrl('graphiql.js')}"></script>
<script>
  var base = window.location.origin;
  var wsUrl = base.replace(/^http/, 'ws') + '/graphql';
  var fetcher = GraphiQL.createFetcher({
    url: base + '/graphql',
    wsClient: graphqlWs.createClient({ url: wsUrl, lazy: true }),
  });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultEditorToolsVisibility: true,
    defaultTabs: ${tabs},
  }));
</script>
</body>
</html>`;
}
