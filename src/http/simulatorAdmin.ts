import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Authenticator } from '../auth/authenticate.js';
import { adapterBySlug, type ProviderRegistry } from '../providers/registry.js';
import { admitAdmin } from './admin.js';
import { readBody, sendJson } from './body.js';

/** A fault configuration is a few hundred bytes; anything bigger is not one. */
const MAX_ADMIN_BODY_BYTES = 65_536;
const METHODS = new Set(['GET', 'PUT', 'DELETE']);

/**
 * `/__sim/<slug>/<route>` on botgraph's own port: the admin routes of the embedded simulators
 * (`stats`, `faults`), for admins only whenever auth is on (401 without a credential, 403 for a
 * viewer or operator). The simulators themselves listen on loopback and answer `/__sim` only with
 * the random admin token the registry made at start (src/providers/registry.ts), which only this
 * process holds: botgraph is the one way in, and it checks the principal first.
 */
export function simulatorAdminRoute(registry: ProviderRegistry, auth: Authenticator) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    if (!(await admitAdmin(auth, req, res, "The simulators' admin routes are for admin keys only."))) return;
    const match = /^\/__sim\/([a-z0-9-]+)\/([a-z]+)$/.exec(url.pathname);
    const adapter = match ? adapterBySlug(match[1]!) : undefined;
    const simulator = adapter ? registry.simulators[adapter.name] : undefined;
    if (!match || !simulator) return sendJson(res, 404, { error: 'no embedded simulator there' });
    const method = (req.method ?? 'GET').toUpperCase();
    if (!METHODS.has(method)) return sendJson(res, 405, { error: 'method not allowed' });
    let body: Buffer | undefined;
    if (method === 'PUT') {
      const read = await readBody(req, res, MAX_ADMIN_BODY_BYTES);
      if (read === null) return sendJson(res, 413, { error: `the body is larger than ${MAX_ADMIN_BODY_BYTES} bytes` });
      body = read;
    }
    const upstream = await fetch(`${simulator.url}/__sim/${match[2]}`, {
      method,
      headers: { ...registry.simulatorAdminHeaders, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body } : {}),
    });
    const payload = Buffer.from(await upstream.arrayBuffer());
    const type = upstream.headers.get('content-type');
    res.writeHead(upstream.status, type ? { 'content-type': type } : {});
    res.end(upstream.status === 204 ? undefined : payload);
  };
}
