/**
 * The demo account of the embedded Bot.one simulator, written once: the simulator accepts it and
 * config falls back to it when no Bot.one account is configured. Not under simulator/, so reading it
 * never loads simulator code.
 */
export const BOTONE_DEMO_USERNAME = 'demo@bot.one';
export const BOTONE_DEMO_PASSWORD = 'demo';
