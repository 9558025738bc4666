/**
 * The demo credentials of the embedded CLOSER simulator, written once: the simulator accepts them and
 * config falls back to them when no CLOSER account is configured. Not under simulator/, so reading
 * them never loads simulator code.
 */
export const CLOSER_DEMO_API_KEY = 'closer-demo-key';
