import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Authenticator } from '../auth/authenticate.js';
import { isAdmin, type Principal } from '../auth/principal.js';
import { ErrorCode } from '../errors.js';
import { sendJson } from './body.js';

/**
 * The gate of botgraph's admin-only HTTP routes outside GraphQL (`/metrics`, `/__sim/…`): when auth
 * is on, 401 without a valid credential and 403 for a principal that is not admin, answered here.
 * Returns whether the request may go on (always, when auth is off: the open demo).
 */
export async function admitAdmin(auth: Authenticator | undefined, req: IncomingMessage, res: ServerResponse, forbidden: string): Promise<boolean> {
  if (!auth?.required) return true;
  let principal: Principal;
  try {
    ({ principal } = await auth.authenticate(req.headers.authorization));
  } catch {
    res.setHeader('www-authenticate', 'Bearer realm="botgraph"');
    sendJson(res, 401, { errors: [{ message: 'This endpoint needs an admin credential.', extensions: { code: ErrorCode.UNAUTHENTICATED } }] });
    return false;
  }
  if (isAdmin(principal)) return true;
  sendJson(res, 403, { errors: [{ message: forbidden, extensions: { code: ErrorCode.FORBIDDEN } }] });
  return false;
}
