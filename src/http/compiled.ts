/**
 * Queries and mutations executed through graphql-jit: each operation of a document is compiled once
 * into a function for that selection, then run for every request that sends it.
 *
 * Why: graphql-js interprets the document on every request. For each field of each object it looks
 * the field up, coerces its arguments (`getArgumentValues`, also for fields that have none), checks
 * the return type's kind (`isNonNullType`, `isListType`, `isAbstractType`, each an `instanceOf`
 * that is slower outside NODE_ENV=production) and builds the path. On the inbox that was 12–18 % of
 * the CPU profile, the biggest single library in it. A compiled query does that work once; with the
 * builds alternated, it took about 10–15 % off the inbox's CPU per request, cache off or on (bench/README.md,
 * session 7).
 *
 * Apollo Server has one documented place for an executor of one's own, the gateway interface:
 * parsing, validation, the document store, plugins and error formatting stay Apollo's, only the
 * `execute` step is replaced. Compiled queries are kept per document object, which Apollo's document
 * store hands back for the same query text, so they live as long as its entry (held weakly).
 *
 * HTTP (through Apollo) and WebSocket queries and mutations (graphql-ws's `execute`) both run this
 * way, so both transports answer alike; subscriptions' events still go through graphql-js
 * (`subscribe`, the cohorts). With tracing on nothing is compiled: graphql-js executes, so that
 * @opentelemetry/instrumentation-graphql can make its resolver spans.
 */
import type { ApolloServerOptionsWithGateway } from '@apollo/server';
import { execute, GraphQLError, type DocumentNode, type ExecutionArgs, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

type Gateway = ApolloServerOptionsWithGateway<never>['gateway'];

/** What a document compiled to, per operation name ('' for an anonymous one): a query, or the errors saying why not. */
type Compiled = CompiledQuery | ExecutionResult;

/**
 * A field error as graphql-js makes it. graphql-jit's errors are its own class: an instance of
 * graphql's GraphQLError by prototype, but without its constructor's fields (no `extensions` object
 * when the cause has none), which Apollo's error formatting reads; it then answers "Internal server
 * error" without a path, and botgraph's formatError never sees the cause to log and mask it.
 */
function asGraphQLError(error: GraphQLError): GraphQLError {
  if (error.constructor === GraphQLError) return error;
  const made = new GraphQLError(error.message, {
    ...(error.path ? { path: error.path } : {}),
    ...(error.originalError ? { originalError: error.originalError } : {}),
    ...(error.extensions ? { extensions: error.extensions } : {}),
  });
  // graphql-jit keeps the locations, not the AST nodes graphql-js would compute them from.
  return error.locations ? Object.assign(made, { locations: error.locations }) : made;
}

/** What executes an operation: graphql's `execute`, or {@link compiledExecutor}'s. */
export type Execute = (args: ExecutionArgs) => Promise<ExecutionResult>;

/** Per document and operation name: the executions so far, then what it compiled to. */
interface Slot {
  runs: number;
  compiled?: Compiled;
}

/**
 * Executes with compiled queries, kept per document (the parsed object: Apollo's document store and
 * the graphql-ws document cache hand back the same one for the same text, so a compiled query lives
 * as long as their entry) and operation name; graphql-js runs the first `after` executions.
 *
 * Why not compile on first sight (`after`, GRAPHQL_COMPILE_AFTER): compiling costs more than
 * validating. On botgraph's schema it takes 1.7 ms for the inbox (validation 0.9) and 25 ms for a
 * 700-character document of 12 fragments that each spread the one before twice, which the limits
 * allow (graphql-jit inlines every spread). Compiling at once would let a client sending one-off
 * documents (varying an alias) spend that much CPU per operation. Compiled once it has repeated, as
 * an application's documents do and a one-off never does, a document's compilation is shared by at
 * least `after` executions.
 */
export function compiledExecutor(schema: GraphQLSchema, after: number): Execute {
  const slots = new WeakMap<DocumentNode, Map<string, Slot>>();
  const compiledOf = (document: DocumentNode, operationName: string | null | undefined): Compiled | null => {
    let byName = slots.get(document);
    if (!byName) slots.set(document, (byName = new Map<string, Slot>()));
    const name = operationName ?? '';
    let slot = byName.get(name);
    if (!slot) byName.set(name, (slot = { runs: 0 }));
    if (slot.compiled) return slot.compiled;
    if (slot.runs++ < after) return null;
    return (slot.compiled = compileQuery(schema, document, operationName ?? undefined));
  };
  return async (args) => {
    const query = compiledOf(args.document, args.operationName);
    // graphql-js decides what graphql-jit refuses before running anything: a document it cannot
    // compile, variables it cannot coerce. graphql-jit's errors there are its own, with neither the
    // AST nodes nor graphql-js's wording, which Apollo reads to call a coercion failure
    // BAD_USER_INPUT. No resolver ran, so nothing runs twice.
    if (query === null || !isCompiledQuery(query)) return execute(args);
    const result = await query.query(args.rootValue, args.contextValue, args.variableValues ?? {});
    if (result.data === undefined) return execute(args);
    return result.errors?.length ? { ...result, errors: result.errors.map(asGraphQLError) } : result;
  };
}

/**
 * Apollo's gateway interface around `schema`, executing with `run`: Apollo parses, validates, runs
 * its plugins and formats errors as ever; only its `execute` step is `run`.
 */
export function gatewayOf(schema: GraphQLSchema, run: Execute): Gateway {
  return {
    onSchemaLoadOrUpdate(callback) {
      // The schema never changes while botgraph runs: announced once, nothing to unsubscribe from.
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => {};
    },
    async load() {
      return {
        executor: (request) =>
          run({
            schema,
            document: request.document,
            contextValue: request.context,
            variableValues: request.request.variables,
            operationName: request.operationName,
          }),
      };
    },
    async stop() {},
  };
}
