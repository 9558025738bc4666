import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/**
 * A static asset prepared once: its bytes, brotli and gzip encodings, and a content hash used both
 * as the strong ETag and as the `?v=` that pages put in their asset URLs.
 */
export interface StaticAsset {
  type: string;
  identity: Buffer;
  /** The first 16 hex digits of the SHA-256 of the bytes. */
  hash: string;
  /** The body in an encoding, compressed on first use and kept. */
  encoded(encoding: 'br' | 'gzip'): Buffer;
}

export function prepareAsset(body: Buffer, type: string): StaticAsset {
  const encodings = new Map<'br' | 'gzip', Buffer>();
  return {
    type,
    identity: body,
    hash: createHash('sha256').update(body).digest('hex').slice(0, 16),
    encoded(encoding) {
      let out = encodings.get(encoding);
      if (!out) {
        out =
          encoding === 'br'
            ? brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } })
            : gzipSync(body, { level: 9 });
        encodings.set(encoding, out);
      }
      return out;
    },
  };
}

/** The encoding to send: brotli, then gzip, when the client accepts it (q=0 refuses). */
function pickEncoding(accept: string): 'br' | 'gzip' | 'identity' {
  const accepted = new Set(
    accept
      .split(',')
      .map((part) => part.trim().split(';'))
      .filter(([, q]) => !q || !/^q=0(\.0*)?$/.test(q.trim()))
      .map(([name]) => name?.trim().toLowerCase()),
  );
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip')) return 'gzip';
  return 'identity';
}

/**
 * Sends an asset compressed and cacheable. A URL carrying the asset's current `?v=` hash never
 * changes content, so it is `immutable` for a year; any other URL revalidates with the ETag
 * (304 when unchanged).
 */
export function sendAsset(req: IncomingMessage, res: ServerResponse, url: URL, asset: StaticAsset): void {
  const etag = `"${asset.hash}"`;
  const headers: Record<string, string> = {
    'content-type': `${asset.type}; charset=utf-8`,
    etag,
    vary: 'accept-encoding',
    'cache-control': url.searchParams.get('v') === asset.hash ? 'public, max-age=31536000, immutable' : 'public, max-age=0, must-revalidate',
  };
  const match = req.headers['if-none-match'];
  if (match && match.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) {
    res.writeHead(304, headers);
    return void res.end();
  }
  const encoding = pickEncoding(String(req.headers['accept-encoding'] ?? ''));
  const body = encoding === 'identity' ? asset.identity : asset.encoded(encoding);
  if (encoding !== 'identity') headers['content-encoding'] = encoding;
  headers['content-length'] = String(body.length);
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}
