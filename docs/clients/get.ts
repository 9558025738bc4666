// Queries over GET (cacheable by CDNs and browsers). Apollo Server's CSRF prevention refuses a GET
// that a browser could send cross-site without a preflight: send `apollo-require-preflight`
// (any value), or a `content-type: application/json` header. Mutations are never run over GET.
export async function queryOverGet(httpUrl: string, query: string, variables: Record<string, unknown> = {}) {
  const url = new URL(httpUrl);
  url.searchParams.set('query', query);
  url.searchParams.set('variables', JSON.stringify(variables));
  const res = await fetch(url, { headers: { 'apollo-require-preflight': 'true' } });
  return (await res.json()) as { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
}
