import { pino, type Logger } from 'pino';

/**
 * The process logger. Redaction is a second line of defence: code never logs credentials or URLs
 * with query strings in the first place (see `UpstreamHttp`), but a header object logged by mistake
 * must still come out clean.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'botgraph' },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers["x-api-key"]',
        'req.headers.cookie',
        'req.headers["x-botgraph-webhook-secret"]',
        'headers.authorization',
        'headers["x-api-key"]',
        '*.token',
        '*.password',
        '*.apiKey',
        'url',
      ],
      censor: '[redacted]',
    },
  });
}
