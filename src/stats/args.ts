/**
 * GraphQL arguments of `conversationStats` / `conversationStatsChanged` → validated {@link StatsArgs},
 * and what the selection asks for ({@link Wanted}). Bad input is BAD_USER_INPUT naming the field.
 */
import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import type { ConversationFilter, StatsDimension, TimeBucket } from '../__generated__/resolvers-types.js';
import { enabledProviders, type Context } from '../context.js';
import { badInput } from '../errors.js';
import { botsByProvider } from '../resolvers/conversationList.js';
import { narrowToScope } from '../auth/scope.js';
import { checkTimeZone } from './time.js';
import type { StatsArgs } from './types.js';
import type { Wanted } from './service.js';

/** Without `createdFrom`, a stats query covers the last 30 days. */
export const DEFAULT_WINDOW_MS = 30 * 86_400_000;
/** The widest window one query may cover (a year and a day, so a calendar year fits in any timezone). */
export const MAX_WINDOW_MS = 367 * 86_400_000;

export interface RawStatsArgs {
  filter?: ConversationFilter | null;
  groupBy?: StatsDimension[] | null;
  bucket?: TimeBucket | null;
  timezone?: string | null;
  confidenceThreshold?: number | null;
  confidence?: number | null;
}

export function parseStatsArgs(ctx: Context, raw: RawStatsArgs, now = Date.now()): StatsArgs {
  const f = raw.filter ?? {};
  if (f.search !== null && f.search !== undefined && f.search.trim() !== '') {
    throw badInput('`filter.search` is not supported by stats: the aggregates keep no text.', 'filter.search');
  }
  if (f.cxoneQuery !== null && f.cxoneQuery !== undefined && f.cxoneQuery.trim() !== '') {
    throw badInput(
      '`filter.cxoneQuery` is not supported by stats: the aggregates are per provider stream and day, not per vendor query.',
      'filter.cxoneQuery',
    );
  }
  const asked = botsByProvider(f);
  enabledProviders(ctx, [...asked.keys()]);
  let wantedProviders = enabledProviders(ctx, f.providers);
  if (asked.size > 0) wantedProviders = wantedProviders.filter((p) => asked.has(p));
  // Outside the principal's scope nothing exists: the scope narrows providers and bots like a
  // filter would, so every cohort, count and measure covers only what is in scope.
  const { providers, bots } = narrowToScope(ctx, wantedProviders, asked);
  const to = f.createdTo ? f.createdTo.getTime() : now;
  const from = f.createdFrom ? f.createdFrom.getTime() : to - DEFAULT_WINDOW_MS;
  if (from > to) throw badInput('`filter.createdFrom` is after `filter.createdTo`.', 'filter.createdFrom');
  if (to - from > MAX_WINDOW_MS) throw badInput('A stats window (`createdFrom` to `createdTo`) may span at most 367 days.', 'filter.createdFrom');
  const updatedFrom = f.updatedFrom ? f.updatedFrom.getTime() : null;
  const updatedTo = f.updatedTo ? f.updatedTo.getTime() : null;
  if (updatedFrom !== null && updatedTo !== null && updatedFrom > updatedTo) {
    throw badInput('`filter.updatedFrom` is after `filter.updatedTo`.', 'filter.updatedFrom');
  }
  const threshold = raw.confidenceThreshold ?? 0.5;
  if (!Number.isFinite(threshold) || threshold < 0 || threshold > 1)
    throw badInput('`confidenceThreshold` must be between 0 and 1.', 'confidenceThreshold');
  const confidence = raw.confidence ?? 0.95;
  if (!Number.isFinite(confidence) || confidence <= 0 || confidence >= 1)
    throw badInput('`confidence` must be between 0 and 1 (exclusive).', 'confidence');
  const statuses = f.statuses?.length ? [...new Set(f.statuses)] : null;
  return {
    providers,
    bots,
    statuses,
    from,
    to,
    rolling: !f.createdTo,
    updatedFrom,
    updatedTo,
    groupBy: [...new Set(raw.groupBy ?? [])],
    bucket: raw.bucket ?? null,
    timeZone: checkTimeZone(raw.timezone),
    threshold,
    confidence,
  };
}

/** Fields of StatsGroup that counting alone answers. */
const COUNT_FIELDS = new Set(['__typename', 'key', 'count', 'exact', 'countLow', 'countHigh', 'basis']);

/** What the `groups` selection asks for (fragments included). */
export function wantedOf(info: GraphQLResolveInfo): Wanted {
  const wanted: Wanted = { measures: false, messages: false };
  const visit = (set: SelectionSetNode | undefined, inGroups: boolean) => {
    for (const sel of set?.selections ?? []) {
      if (sel.kind === Kind.FIELD) {
        const name = sel.name.value;
        if (inGroups) {
          if (!COUNT_FIELDS.has(name)) wanted.measures = true;
          if (name === 'messages' || name === 'firstResponse') wanted.messages = true;
        } else if (name === 'groups') visit(sel.selectionSet, true);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) visit(sel.selectionSet, inGroups);
      else {
        const fragment = info.fragments[sel.name.value];
        if (fragment) visit(fragment.selectionSet, inGroups);
      }
    }
  };
  for (const node of info.fieldNodes) visit(node.selectionSet, false);
  return wanted;
}

/** The cohort of a subscription: the same arguments and wanted measures share one computation. */
export function cohortKey(args: StatsArgs, wanted: Wanted, scopeKey = ''): string {
  return JSON.stringify([
    scopeKey,
    args.providers,
    [...args.bots].sort(),
    args.statuses,
    // A rolling window follows the clock; its width is what identifies it.
    args.rolling ? ['rolling', args.to - args.from] : [args.from, args.to],
    args.updatedFrom,
    args.updatedTo,
    args.groupBy,
    args.bucket,
    args.timeZone,
    args.threshold,
    args.confidence,
    wanted,
  ]);
}
