/**
 * The plug-in boundary, checked over the source tree (docs/architecture.md, "Providers"):
 * - no provider name as a string literal (`'CLOSER'`, …) outside that provider's folder and the registry;
 * - no import of a provider's module from outside its folder, except by the registry;
 * - no provider folder imports from resolvers/, subscriptions/ or http/ (they know only the contract);
 * - no static (value) import of simulator code from production code: simulators load with `import()`.
 * Each rule has a control below that feeds the checker a violation, so the check itself can fail.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ADAPTERS } from '../../src/providers/registry.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SRC = join(ROOT, 'src');
const NAMES = ADAPTERS.map((a) => a.name as string);
const SLUGS = ADAPTERS.map((a) => a.slug as string);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === '__generated__' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** `src/…` with forward slashes. */
const rel = (path: string) => relative(ROOT, path).split(sep).join('/');

/** The provider folder (`closer`, …) a src path lies in, if any. */
function vendorOf(path: string): string | null {
  const m = /^src\/providers\/([^/]+)\//.exec(path);
  return m && SLUGS.includes(m[1] as string) ? (m[1] as string) : null;
}

const isSimulatorCode = (path: string) => /^src\/providers\/[^/]+\/simulator\//.test(path) || path.startsWith('src/simulators/');

interface Import {
  target: string;
  /** Erased at runtime: `import type`, or every binding `type`. */
  typeOnly: boolean;
  dynamic: boolean;
}

function importsOf(file: ts.SourceFile, from: string): Import[] {
  const found: Import[] = [];
  const add = (specifier: string, typeOnly: boolean, dynamic: boolean) => {
    if (!specifier.startsWith('.')) return;
    found.push({ target: rel(resolve(dirname(from), specifier.replace(/\.js$/, '.ts'))), typeOnly, dynamic });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const bindings = clause?.namedBindings;
      const allTypes =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (!clause.name &&
            bindings !== undefined &&
            ts.isNamedImports(bindings) &&
            bindings.elements.length > 0 &&
            bindings.elements.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier.text, allTypes, false);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, node.isTypeOnly, false);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteralLike(arg)) add(arg.text, false, true);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      add(node.argument.literal.text, true, false);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

function literalsOf(file: ts.SourceFile): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && NAMES.includes(node.text)) {
      // Module specifiers are paths, never names.
      if (!ts.isImportDeclaration(node.parent) && !ts.isExportDeclaration(node.parent)) found.push(node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** Every rule broken by one file (`path` relative to the repository, `text` its source). */
export function violations(path: string, text: string): string[] {
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const vendor = vendorOf(path);
  const isRegistry = path === 'src/providers/registry.ts';
  const problems: string[] = [];

  const ownName = vendor ? ADAPTERS.find((a) => a.slug === vendor)?.name : undefined;
  for (const literal of literalsOf(file)) {
    if (!isRegistry && literal !== ownName) problems.push(`${path}: string literal '${literal}' outside its provider's folder`);
  }

  for (const imp of importsOf(file, join(ROOT, path))) {
    const targetVendor = vendorOf(imp.target);
    if (targetVendor && targetVendor !== vendor && !isRegistry) {
      problems.push(`${path}: imports ${imp.target}, a module of provider ${targetVendor}`);
    }
    if (vendor && /^src\/(resolvers|subscriptions|http)\//.test(imp.target)) {
      problems.push(`${path}: a provider folder imports ${imp.target}`);
    }
    if (!isSimulatorCode(path) && isSimulatorCode(imp.target) && !imp.typeOnly && !imp.dynamic) {
      problems.push(`${path}: statically imports simulator code ${imp.target} (use a dynamic import())`);
    }
  }
  return problems;
}

describe('the provider boundary', () => {
  const files = sourceFiles(SRC);

  it('reads the whole source tree', () => {
    expect(files.length).toBeGreaterThan(50);
    for (const slug of SLUGS) expect(files.some((f) => rel(f) === `src/providers/${slug}/adapter.ts`)).toBe(true);
  });

  it('holds in every source file', () => {
    const problems = files.flatMap((f) => violations(rel(f), readFileSync(f, 'utf8')));
    expect(problems).toEqual([]);
  });

  describe('catches each kind of violation (controls)', () => {
    const [a, b] = ADAPTERS;
    it('a provider name as a literal in a resolver, or in another provider’s folder', () => {
      expect(violations('src/resolvers/X.ts', `const p = '${a.name}';`)).toHaveLength(1);
      expect(violations(`src/providers/${b.slug}/x.ts`, `const p = \`${a.name}\`;`)).toHaveLength(1);
      expect(violations(`src/providers/${a.slug}/x.ts`, `const p = '${a.name}';`)).toEqual([]);
      expect(violations('src/providers/registry.ts', `const p = '${a.name}';`)).toEqual([]);
    });
    it('an import of a provider module from outside its folder', () => {
      expect(violations('src/resolvers/X.ts', `import { x } from '../providers/${a.slug}/mapper.js';`)).toHaveLength(1);
      expect(violations('src/resolvers/X.ts', `import type { X } from '../providers/${a.slug}/types.js';`)).toHaveLength(1);
      expect(violations(`src/providers/${b.slug}/x.ts`, `export { x } from '../${a.slug}/mapper.js';`)).toHaveLength(1);
      expect(violations('src/resolvers/X.ts', `import { adapterOf } from '../providers/registry.js';`)).toEqual([]);
    });
    it('a provider folder importing resolvers, subscriptions or http', () => {
      for (const area of ['resolvers/validate', 'subscriptions/version', 'http/body']) {
        expect(violations(`src/providers/${a.slug}/x.ts`, `import { x } from '../../${area}.js';`)).toHaveLength(1);
      }
    });
    it('a static import of simulator code from production code', () => {
      expect(violations(`src/providers/${a.slug}/adapter.ts`, `import { x } from './simulator/index.js';`)).toHaveLength(1);
      expect(violations('src/server.ts', `import { startHttpSimulator } from './simulators/common/server.js';`)).toHaveLength(1);
      expect(violations(`src/providers/${a.slug}/adapter.ts`, `const m = () => import('./simulator/embed.js');`)).toEqual([]);
      expect(violations('src/server.ts', `import type { SimulatorHandle } from './simulators/common/options.js';`)).toEqual([]);
    });
  });
});

/** The members of an interface in a source file, by the AST. */
function membersOf(path: string, name: string): string[] {
  const file = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
  let members: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isInterfaceDeclaration(node) && node.name.text === name) {
      members = node.members.flatMap((m) => (m.name && (ts.isIdentifier(m.name) || ts.isStringLiteral(m.name)) ? [m.name.text] : []));
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return members;
}

/** Member names declared at the start of a line (`  name?: …` or `  name(…)`) in a block of text. */
const declaredIn = (block: string) => new Set([...block.matchAll(/^\s+(\w+)\??[:(]/gm)].map((m) => m[1] as string));

describe('docs/architecture.md shows the contract as the code has it', () => {
  const doc = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
  const block = /```ts\ninterface ProviderAdapter<[^\n]*\n([\s\S]*?)\n}\n```/.exec(doc)?.[1] ?? '';
  const members = membersOf(join(SRC, 'providers/types.ts'), 'ProviderAdapter');

  it('names every member of ProviderAdapter, and no other', () => {
    expect(members.length).toBeGreaterThan(10);
    expect([...declaredIn(block)].sort()).toEqual([...members].sort());
  });

  it('control: a member missing from the block is caught', () => {
    const without = block.replace(/^\s+example\?:.*$/m, '');
    expect([...declaredIn(without)].sort()).not.toEqual([...members].sort());
  });
});

describe('the simulators make generators one way', () => {
  // `deriveRng(seed, purpose)` is the only way to a generator, so each purpose has its own sequence
  // and a draw added to one never shifts another (issue #12's simulator kit).
  const RNG = 'src/simulators/common/rng.ts';
  const direct = (text: string) => /\bnew Rng\s*\(/.test(text);

  it('no `new Rng(` outside rng.ts', () => {
    const offenders = sourceFiles(SRC)
      .filter((f) => rel(f) !== RNG && direct(readFileSync(f, 'utf8')))
      .map(rel);
    expect(offenders).toEqual([]);
    expect(direct(readFileSync(join(ROOT, RNG), 'utf8'))).toBe(true);
  });

  it('control: a direct construction is caught', () => {
    expect(direct('const rng = new Rng(convSeed);')).toBe(true);
    expect(direct('const rng = deriveRng(seed, `conversation:${id}`);')).toBe(false);
  });
});
