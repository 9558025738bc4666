import type { FormattedExecutionResult, GraphQLFormattedError } from 'graphql';
import type { Context } from '../context.js';

/**
 * The one response policy of HTTP (Apollo plugin) and WebSocket (graphql-ws `onNext`): the errors
 * of providers that failed inside lists which still returned the others' data are appended to the
 * result's `errors`, once each. A subscription keeps one context for its life, so what is appended
 * is taken out of it: each event carries only its own partial errors.
 */
export function withPartialErrors<T extends { errors?: ReadonlyArray<GraphQLFormattedError> | undefined }>(result: T, ctx: Context | undefined): T {
  if (!ctx || ctx.partialErrors.length === 0) return result;
  const partial = ctx.partialErrors.splice(0).map((e) => e.toJSON());
  return { ...result, errors: [...(result.errors ?? []), ...partial] };
}

/**
 * The whole policy: partial errors as above, and `extensions.leftOut`, the providers a list or a
 * subscription left out because they cannot apply its filter (`search`, `cxoneQuery`). Those are a
 * property of the operation, so every event of a subscription carries them.
 */
export function withResponsePolicy<
  T extends { errors?: ReadonlyArray<GraphQLFormattedError> | undefined; extensions?: Record<string, unknown> | undefined },
>(result: T, ctx: Context | undefined): T {
  const withPartial = withPartialErrors(result, ctx);
  if (!ctx || ctx.leftOut.length === 0) return withPartial;
  return { ...withPartial, extensions: { ...withPartial.extensions, leftOut: ctx.leftOut } };
}

export type { FormattedExecutionResult };
