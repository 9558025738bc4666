import { getOperationAST, NoSchemaIntrospectionCustomRule, OperationTypeNode, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { forbidden } from '../auth/authenticate.js';
import { isAdmin, mayMutate, type Principal } from '../auth/principal.js';
import type { LimitsConfig, SecurityConfig } from '../config.js';
import { BotgraphError, ErrorCode } from '../errors.js';
import { operationCost, type FieldWeights } from './cost.js';

/**
 * The checks that need the principal or the variables, so they cannot be validation rules (Apollo
 * caches validation per document). They run right after validation and before any resolver: on
 * HTTP in `operationPolicyPlugin`'s didResolveOperation (src/http/apollo.ts), on WebSocket in
 * onSubscribe (src/http/ws.ts). A refusal is the whole operation's: nothing executes, nothing
 * reaches a vendor.
 */
export interface OperationPolicy {
  schema: GraphQLSchema;
  limits: LimitsConfig;
  security: SecurityConfig;
  /** Own cost weights of fields with a larger upstream budget than one call (stats). */
  fieldWeights?: FieldWeights;
}

/** An operation-level refusal; `http` is the status on HTTP (Apollo strips it from the body). */
function refusal(code: ErrorCode, message: string, status: number, details: Record<string, unknown> = {}): BotgraphError {
  return new BotgraphError(code, message, { details: { ...details, http: { status } } });
}

export function introspectionAllowed(security: SecurityConfig, principal: Principal): boolean {
  return security.introspection || isAdmin(principal);
}

export function variablesRefusal(limits: LimitsConfig, variables: unknown): BotgraphError | null {
  if (variables === undefined || variables === null) return null;
  // Counted as UTF-8 JSON, the way it arrived; the body itself is capped at 1 MiB before this.
  const size = Buffer.byteLength(JSON.stringify(variables), 'utf8');
  if (size <= limits.maxVariablesBytes) return null;
  return refusal(ErrorCode.VARIABLES_LIMIT_EXCEEDED, `The variables take ${size} bytes; the limit is ${limits.maxVariablesBytes}.`, 400, {
    limit: limits.maxVariablesBytes,
    value: size,
  });
}

export function refuseOperation(
  policy: OperationPolicy,
  args: {
    document: DocumentNode;
    operationName: string | null | undefined;
    variables: Record<string, unknown> | null | undefined;
    principal: Principal;
  },
): BotgraphError | null {
  const { schema, limits, security } = policy;
  const operation = getOperationAST(args.document, args.operationName ?? undefined);
  if (!operation) return null; // graphql reports a missing or ambiguous operation itself
  if (operation.operation === OperationTypeNode.MUTATION && !mayMutate(args.principal)) {
    const error = forbidden(`A ${args.principal.role} may not run mutations; an operator or admin may.`);
    return refusal(error.code, error.message, 403);
  }
  if (!introspectionAllowed(security, args.principal) && validate(schema, args.document, [NoSchemaIntrospectionCustomRule]).length > 0) {
    return refusal(ErrorCode.FORBIDDEN, 'Introspection is only for admins in this deployment.', 403);
  }
  const tooBig = variablesRefusal(limits, args.variables);
  if (tooBig) return tooBig;
  const cost = operationCost(schema, args.document, operation, args.variables, policy.fieldWeights);
  if (cost > limits.maxCost) {
    return refusal(
      ErrorCode.COST_LIMIT_EXCEEDED,
      `The operation's estimated upstream cost is ${cost}; the limit is ${limits.maxCost}. Ask for fewer items (\`first\`) or less nesting.`,
      400,
      { limit: limits.maxCost, value: cost },
    );
  }
  return null;
}
