import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  isObjectType,
  Kind,
  valueFromAST,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/**
 * The estimated upstream cost of an operation, so that one request cannot make hundreds of vendor
 * calls. GraphQL Armor's cost rule reads `first` only from literals (a `$first` variable would
 * cost 1) and weighs every object alike, so botgraph computes its own, once variables are known:
 *
 *   cost(field) = own + multiplier × Σ cost(children)
 *
 * - `own` is UPSTREAM for a field that may call a vendor (a root field, a field returning a Node or
 *   a connection, and the few computed-by-a-call fields in UPSTREAM_FIELDS), OBJECT for other
 *   object fields, SCALAR for leaves;
 * - `multiplier` is a list's size: `first` (literal, variable or the argument's default, capped at
 *   MAX_FIRST), the length of `ids`, else DEFAULT_LIST_SIZE for other lists of objects;
 * - fields of connections, edges and mutation payloads are what their parent already read: no call.
 *
 * Fragments are costed once each (memoized by name; cycles are refused by graphql's own rules
 * before this runs), so the walk is linear in the document's size.
 */

export const WEIGHTS = {
  UPSTREAM: 10,
  OBJECT: 1,
  SCALAR: 0,
  DEFAULT_LIST_SIZE: 10,
  MAX_FIRST: 100,
} as const;

/** Schema coordinates of fields that are not Node- or connection-typed but still read a vendor. */
const UPSTREAM_FIELDS = new Set(['Bot.flows', 'Conversation.collectedData', 'ProviderInfo.healthy']);

/**
 * Node-typed fields that call no vendor per item: a stats group's bot is resolved once per
 * provider for all groups (src/stats/service.ts), so it weighs like any object.
 */
const COMPUTED_NODE_FIELDS = new Set(['StatsKey.bot']);

/**
 * Own weights of fields whose upstream budget is not one call (schema coordinate → weight), given
 * by the deployment: stats queries weigh their STATS_MAX_CALLS (src/stats/args.ts `statsCostWeights`).
 */
export type FieldWeights = Readonly<Record<string, number>>;

const ALREADY_READ = /(Connection|Edge|Payload)$/;

export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | null | undefined,
  fieldWeights: FieldWeights = {},
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  const vars: Record<string, unknown> = { ...(variables ?? {}) };
  for (const def of operation.variableDefinitions ?? []) {
    const name = def.variable.name.value;
    if (vars[name] === undefined && def.defaultValue) vars[name] = literal(def.defaultValue);
  }
  const memo = new Map<string, number>();

  const root = schema.getRootType(operation.operation);
  if (!root) return 0;

  function selectionCost(set: SelectionSetNode, parent: GraphQLCompositeType): number {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        total += fieldCost(selection, parent);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        if (type && isCompositeType(type)) total += selectionCost(selection.selectionSet, type);
      } else {
        const name = selection.name.value;
        let cost = memo.get(name);
        if (cost === undefined) {
          memo.set(name, 0); // a cycle (already refused by validation) cannot recurse forever
          const fragment = fragments.get(name);
          const type = fragment ? schema.getType(fragment.typeCondition.name.value) : undefined;
          cost = fragment && type && isCompositeType(type) ? selectionCost(fragment.selectionSet, type) : 0;
          memo.set(name, cost);
        }
        total += cost;
      }
    }
    return total;
  }

  function fieldCost(node: FieldNode, parent: GraphQLCompositeType): number {
    const name = node.name.value;
    if (name.startsWith('__')) return 0; // introspection and __typename: no vendor, bounded
    const def =
      isObjectType(parent) || 'getFields' in parent
        ? (parent as { getFields(): Record<string, GraphQLField<unknown, unknown>> }).getFields()[name]
        : undefined;
    if (!def) return 0; // unknown fields are refused by validation
    const named = getNamedType(def.type);
    if (!node.selectionSet || !isCompositeType(named)) return WEIGHTS.SCALAR;
    const alreadyRead = ALREADY_READ.test(parent.name);
    const coordinate = `${parent.name}.${name}`;
    const upstream =
      !alreadyRead &&
      !COMPUTED_NODE_FIELDS.has(coordinate) &&
      (parent === root || UPSTREAM_FIELDS.has(coordinate) || /Connection$/.test(named.name) || isNode(named));
    const own = fieldWeights[coordinate] ?? (upstream ? WEIGHTS.UPSTREAM : WEIGHTS.OBJECT);
    // A list of nodes read by id (`nodes(ids)`, `bots`) may cost a call per item, not only per list.
    const perItem = upstream && isListType(getNullableType(def.type)) && isNode(named) ? WEIGHTS.UPSTREAM : 0;
    return own + multiplier(node, def, alreadyRead) * (perItem + selectionCost(node.selectionSet, named));
  }

  function argument(node: FieldNode, def: GraphQLField<unknown, unknown>, name: string): unknown {
    const argDef = def.args.find((a) => a.name === name);
    if (!argDef) return undefined;
    const given = node.arguments?.find((a) => a.name.value === name);
    if (!given) return argDef.defaultValue;
    return valueFromAST(given.value, argDef.type, vars);
  }

  function multiplier(node: FieldNode, def: GraphQLField<unknown, unknown>, alreadyRead: boolean): number {
    if (def.args.some((a) => a.name === 'first')) {
      const first = argument(node, def, 'first');
      return typeof first === 'number' && Number.isFinite(first) ? Math.min(Math.max(first, 0), WEIGHTS.MAX_FIRST) : WEIGHTS.MAX_FIRST;
    }
    if (!isListType(getNullableType(def.type))) return 1;
    const ids = argument(node, def, 'ids');
    if (Array.isArray(ids)) return ids.length;
    // A connection's own `nodes`/`edges` are its `first`, already counted on the connection.
    return alreadyRead ? 1 : WEIGHTS.DEFAULT_LIST_SIZE;
  }

  return selectionCost(operation.selectionSet, root);
}

function isNode(type: GraphQLCompositeType): boolean {
  return type.name === 'Node' || ('getInterfaces' in type && type.getInterfaces().some((i) => i.name === 'Node'));
}

/** A variable default's plain value, for the rare default that is a list or object. */
function literal(node: ValueNode): unknown {
  switch (node.kind) {
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.STRING:
    case Kind.ENUM:
      return node.value;
    case Kind.BOOLEAN:
      return node.value;
    case Kind.LIST:
      return node.values.map(literal);
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, literal(f.value)]));
    default:
      return null;
  }
}
