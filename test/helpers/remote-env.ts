/**
 * The env that points a botgraph at a standalone CXone simulator as a REMOTE provider: its URL, and
 * every bot's token in `CXONE_TOKEN`'s `bot:token,…` form. Its own module, free of imports, so that
 * tests of what a process loads can use it too.
 */
export function cxoneRemoteEnv(cxone: { url: string; tokens: Record<string, string> }): { CXONE_BASE_URL: string; CXONE_TOKEN: string } {
  return {
    CXONE_BASE_URL: cxone.url,
    CXONE_TOKEN: Object.entries(cxone.tokens)
      .map(([bot, token]) => `${bot}:${token}`)
      .join(','),
  };
}
