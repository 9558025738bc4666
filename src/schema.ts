import { readFileSync, readdirSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph';
import { parse, type GraphQLSchema } from 'graphql';
import type { Context } from './context.js';
import { decodeId } from './ids.js';
import { resolvers } from './resolvers/index.js';
import { loadNode } from './resolvers/Node.js';
import type { NodeModel } from './resolvers/typeOf.js';

const SCHEMA_DIR = new URL('../schema/', import.meta.url);

/** The SDL, read from `schema/` — the one source of truth, also fed to codegen. */
export function loadTypeDefs(): string {
  return readdirSync(SCHEMA_DIR)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => readFileSync(new URL(f, SCHEMA_DIR), 'utf8'))
    .join('\n');
}

/** The types a supergraph may reference by `id`: every one is readable by id through the loaders. */
export const ENTITY_TYPES = ['Conversation', 'Bot', 'EndUser', 'Message'] as const;
type EntityType = (typeof ENTITY_TYPES)[number];

/**
 * Federation 2 directives, kept out of `schema/*.graphql` so that codegen and plain clients read
 * the schema unchanged. `extend type` adds `@key` to the types defined there.
 */
export const FEDERATION_SDL = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
${ENTITY_TYPES.map((t) => `extend type ${t} @key(fields: "id")`).join('\n')}
`;

/**
 * `_entities` resolves each reference through the same per-request by-id loaders as `node(id)`, so
 * a gateway's 50 references in one request batch into what `nodes(ids:)` with 50 ids costs. A
 * reference to an id of another type is null (the gateway reports it), not a wrong object.
 */
function referenceResolver(type: EntityType) {
  return async (ref: { id: string }, ctx: Context): Promise<NodeModel | null> => {
    decodeId(ref.id, 'id', [type]);
    return loadNode(ctx, ref.id);
  };
}

/**
 * The executable schema: the SDL with botgraph's resolvers, built as an Apollo Federation 2
 * subgraph (`_service { sdl }`, `_entities`). Clients that do not federate see a plain GraphQL
 * API with two extra root fields. Built once per server.
 */
export function buildBotgraphSchema(): GraphQLSchema {
  const map = { ...(resolvers as Record<string, object>) };
  for (const type of ENTITY_TYPES) map[type] = { ...map[type], __resolveReference: referenceResolver(type) };
  return buildSubgraphSchema([{ typeDefs: parse(loadTypeDefs() + FEDERATION_SDL), resolvers: map as GraphQLResolverMap<Context> }]);
}
