import {
  GraphQLError,
  Kind,
  specifiedRules,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

/** The deepest selection botgraph executes. The schema's useful paths are far shallower. @default 12 */
export const MAX_DEPTH = 12;

function depthOf(set: SelectionSetNode | undefined, fragments: Map<string, FragmentDefinitionNode>, seen: Set<string>): number {
  if (!set) return 0;
  let max = 0;
  for (const selection of set.selections) {
    let depth = 0;
    if (selection.kind === Kind.FIELD) {
      // Introspection (`__schema`, `__type`) is deep by design (GraphiQL's own query is 14 levels) and cheap.
      if (selection.name.value.startsWith('__')) continue;
      depth = selection.selectionSet ? 1 + depthOf(selection.selectionSet, fragments, seen) : 0;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      depth = depthOf(selection.selectionSet, fragments, seen);
    } else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      // A fragment cycle is reported by the standard NoFragmentCycles rule; do not recurse into it.
      if (fragment && !seen.has(name)) depth = depthOf(fragment.selectionSet, fragments, new Set(seen).add(name));
    }
    max = Math.max(max, depth);
  }
  return max;
}

/** Rejects operations nested deeper than MAX_DEPTH: a cheap guard against query-shaped denial of service. */
export const depthLimit: ValidationRule = (context: ValidationContext): ASTVisitor => {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of context.getDocument().definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  return {
    OperationDefinition(node) {
      const depth = depthOf(node.selectionSet, fragments, new Set());
      if (depth > MAX_DEPTH) {
        context.reportError(new GraphQLError(`The operation is nested ${depth} levels deep; the limit is ${MAX_DEPTH}.`, { nodes: [node] }));
      }
    },
  };
};

/** Rules added to graphql's own, on HTTP (Apollo) and WebSocket (graphql-ws) alike. */
export const extraValidationRules: ValidationRule[] = [depthLimit];

/** Everything graphql-ws validates with: the same rules Apollo applies over HTTP. */
export const allValidationRules: ValidationRule[] = [...specifiedRules, ...extraValidationRules];
