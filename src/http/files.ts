import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Logger } from 'pino';
import { BotgraphError, ErrorCode, codeProperties } from '../errors.js';
import type { ProviderName } from '../models.js';
import { adapterBySlug, type ProviderRegistry } from '../providers/registry.js';
import { sendJson } from './body.js';

/**
 * `/files/<provider>/<fileId>` streams a vendor file with its content type. The browser sees only
 * this URL: the vendor's own URL and botgraph's credentials for it stay on the server.
 */
export function fileRoute(registry: ProviderRegistry, logger: Logger) {
  return async function serveFile(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const match = /^\/files\/([a-z]+)\/([^/]+)$/.exec(path);
    const provider: ProviderName | undefined = match?.[1] ? adapterBySlug(match[1])?.name : undefined;
    const runtime = provider ? registry.runtimes.get(provider) : undefined;
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { error: 'method not allowed' });
    if (!match || !runtime?.openFile) return sendJson(res, 404, { error: 'not found', code: ErrorCode.NOT_FOUND });
    let fileId: string;
    try {
      fileId = decodeURIComponent(match[2] as string);
    } catch {
      return sendJson(res, 404, { error: 'not found', code: ErrorCode.NOT_FOUND });
    }
    try {
      const file = await runtime.openFile(fileId);
      const headers: Record<string, string> = {
        'content-type': file.contentType ?? 'application/octet-stream',
        'cache-control': 'private, max-age=300',
        'x-content-type-options': 'nosniff',
      };
      if (file.contentLength) headers['content-length'] = file.contentLength;
      res.writeHead(200, headers);
      if (req.method === 'HEAD') {
        // Destroying an undici body emits an abort error; unhandled, it would crash the process.
        file.body.on('error', () => {});
        file.body.destroy();
        return void res.end();
      }
      // With backpressure; a client that goes away ends the vendor stream too (then the catch below).
      await pipeline(file.body, res);
    } catch (error) {
      if (res.headersSent) return void res.destroy();
      const code = error instanceof BotgraphError ? error.code : ErrorCode.INTERNAL_SERVER_ERROR;
      const status = codeProperties(code).httpStatus;
      if (code === ErrorCode.INTERNAL_SERVER_ERROR) logger.error({ err: error }, 'file download failed');
      sendJson(res, status, { error: error instanceof BotgraphError ? error.message : 'Internal server error.', code, provider });
    }
  };
}
