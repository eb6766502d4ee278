// Requests that never reach a route — malformed (the HTTP parser refused them) or
// abandoned — and errors that escape every handler: one JSON log line each, without the
// request's bytes or a stack trace (Node and Koa would print multi-line traces).
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Provider } from 'oidc-provider';
import type { Logger } from './log.js';
import { requestIdOf } from './requests.js';

const GONE = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);

/** node:http 'clientError': answer 400 (or 408 for a stalled request) and log one line. */
export function attachHttpErrorLogs(server: Server, logger: Logger): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    const code = err.code ?? 'unknown';
    if (GONE.has(code) || !socket.writable) {
      logger.log('debug', 'http.client_gone', { errorCode: code });
      socket.destroy();
      return;
    }
    const timeout = code === 'ERR_HTTP_REQUEST_TIMEOUT';
    logger.log('info', 'http.malformed_request', { errorCode: code, status: timeout ? 408 : 400 });
    socket.end(timeout ? 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n' : 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });
}

/** Koa's 'error' event (errors no handler caught): one line instead of Koa's printed stack. */
export function logKoaErrors(provider: Provider, logger: Logger): void {
  type KoaError = { name?: string; code?: string; status?: number; expose?: boolean };
  type ErrorContext = { state?: unknown; req?: { socket?: { destroyed?: boolean } } };
  // The provider is the Koa app; its type lists only the library's own events.
  const on = provider.on.bind(provider) as unknown as (event: 'error', listener: (err: KoaError, ctx?: ErrorContext) => void) => void;
  on('error', (err, ctx) => {
    const gone = GONE.has(err?.code ?? '') || ctx?.req?.socket?.destroyed === true;
    const level = gone || (err?.expose && (err.status ?? 500) < 500) ? 'info' : 'error';
    logger.log(level, gone ? 'request.aborted' : 'http.error', {
      requestId: ctx ? requestIdOf(ctx) : undefined,
      status: err?.status,
      error: err?.name,
      errorCode: err?.code,
    });
  });
}
