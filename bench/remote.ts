/**
 * botgraph's environment for REMOTE mode against the three standalone simulators at `simUrls`
 * (CLOSER, Bot.one, CXone, in that order), with their demo credentials: what bench/compare.ts and
 * `WAVES_REMOTE=1 bench/waves.ts` both start botgraph with.
 */
export function remoteVendorEnv(simUrls: readonly string[]): Record<string, string> {
  const [closer, botone, cxone] = simUrls;
  if (closer === undefined || botone === undefined || cxone === undefined) throw new Error('remoteVendorEnv needs three simulator URLs');
  return {
    // REMOTE vendors need credentials on botgraph's own API (or this explicit opt-out) and a webhook secret.
    BOTGRAPH_AUTH: 'off',
    CLOSER_WEBHOOK_SECRET: 'bench-webhook-secret',
    CLOSER_BASE_URL: closer,
    CLOSER_API_KEY: 'closer-demo-key',
    BOTONE_BASE_URL: botone,
    BOTONE_USERNAME: 'demo@bot.one',
    BOTONE_PASSWORD: 'demo',
    BOTONE_BOT_IDS: '1446,1447,1448',
    CXONE_BASE_URL: cxone,
    CXONE_TOKEN: '1327:cxone-demo-token,1328:cxone-demo-token-1328,1329:cxone-demo-token-1329',
  };
}
