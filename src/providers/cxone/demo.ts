/**
 * The demo export tokens of the embedded CXone simulator (bot id → token), written once. Not under
 * simulator/, so reading them never loads simulator code.
 */
export const CXONE_DEMO_TOKENS: Readonly<Record<string, string>> = Object.freeze({
  '1327': 'cxone-demo-token',
  '1328': 'cxone-demo-token-1328',
  '1329': 'cxone-demo-token-1329',
});
