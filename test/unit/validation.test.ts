import { buildSchema, getIntrospectionQuery, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { loadTypeDefs } from '../../src/server.js';
import { MAX_DEPTH, allValidationRules } from '../../src/validation.js';

const schema = buildSchema(loadTypeDefs());
const errors = (query: string) => validate(schema, parse(query), allValidationRules).map((e) => e.message);

describe('validation rules shared by HTTP and WebSocket', () => {
  it('lets the full introspection query through (GraphiQL needs it)', () => {
    expect(errors(getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }))).toEqual([]);
  });

  it('accepts real queries and rejects ones nested deeper than the limit, through fragments too', () => {
    expect(errors('{ conversations(first: 1) { nodes { messages { nodes { conversation { bot { name } } } } } } }')).toEqual([]);
    let deep = 'name';
    for (let i = 0; i < MAX_DEPTH; i++) deep = `conversations(first: 1) { nodes { bot { ${deep} } } }`;
    const nested = `{ bots { ${deep} } }`;
    expect(errors(nested).some((m) => m.includes(`limit is ${MAX_DEPTH}`))).toBe(true);
    const viaFragment = `{ bots { ...F } } fragment F on Bot { ${deep} }`;
    expect(errors(viaFragment).some((m) => m.includes(`limit is ${MAX_DEPTH}`))).toBe(true);
  });
});
