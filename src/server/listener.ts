// The HTTP(S) listener in front of the provider's Koa app, and the orderly shutdown: drain
// (/readyz 503, Connection: close), stop accepting, let requests finish, force at a deadline.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Provider } from 'oidc-provider';
import type { Config } from '../config/load.js';
import { attachHttpErrorLogs } from '../ops/http-errors.js';
import { KEEP_ALIVE_MS } from '../ops/listen.js';
import type { Logger } from '../ops/log.js';
import { normaliseForwarded, proxyTrust } from '../ops/proxy.js';

export interface CloseOptions {
  /** ms of draining before the listener closes (default 0) */
  drainMs?: number;
  /** ms after the call at which open connections are closed by force (default 10 s) */
  deadlineMs?: number;
}

export interface ShutdownReport {
  /** requests still unanswered at the deadline, whose connections were closed by force */
  unfinished: number;
}

export interface Listener {
  /** true from the first close() on: /readyz answers 503 */
  readonly shuttingDown: boolean;
  listen(port: number, host: string | undefined): Promise<number>;
  /** drains and closes the listener (if listening); resolves with what was cut at the deadline */
  close(options: CloseOptions): Promise<ShutdownReport>;
}

export function createListener(config: Config, provider: Provider, logger: Logger): Listener {
  let server: Server | undefined;
  let shuttingDown = false;
  /** responses not yet sent: the ones a forced close at the deadline cuts */
  const inFlight = new Set<ServerResponse>();
  let unfinished = 0;

  return {
    get shuttingDown() {
      return shuttingDown;
    },
    listen(port, host) {
      return new Promise((resolve, reject) => {
        const tls = config.tlsMaterial.server;
        const callback = provider.callback();
        // EP-11: the client's address and scheme only as a trusted proxy states them.
        const trust = proxyTrust(config.proxy);
        const handle = (req: IncomingMessage, res: ServerResponse) => {
          if (trust) normaliseForwarded(req, trust);
          // Draining: each keep-alive connection closes once its current response is sent.
          if (shuttingDown) res.setHeader('connection', 'close');
          inFlight.add(res);
          res.once('close', () => inFlight.delete(res));
          void callback(req, res);
        };
        // EP-11: TLS here when configured; mTLS asks for (but does not demand) a client
        // certificate, so each client's registration decides what it must present (EP-2).
        server = tls
          ? createHttpsServer({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2', requestCert: config.mtls.enabled, rejectUnauthorized: false }, handle)
          : createHttpServer(handle);
        attachHttpErrorLogs(server, logger);
        // EP-11: idle keep-alive connections outlive a proxy's, so it never reuses one we close.
        server.keepAliveTimeout = KEEP_ALIVE_MS;
        server.headersTimeout = KEEP_ALIVE_MS + 1_000;
        server.listen(port, host, () => {
          const address = server?.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
        server.on('error', reject);
      });
    },
    async close({ drainMs = 0, deadlineMs = 10_000 }) {
      // /readyz answers 503 from now on; responses carry Connection: close.
      shuttingDown = true;
      const listening = server;
      if (listening) {
        // Forced close only at the deadline: a request still running then is cut.
        const force = setTimeout(() => {
          unfinished = inFlight.size;
          listening.closeAllConnections();
        }, deadlineMs);
        force.unref();
        // Requests are served while load balancers notice /readyz.
        if (drainMs > 0) await sleep(Math.min(drainMs, deadlineMs));
        // New connections are refused from here; connections end as their requests finish
        // (idle ones now), and the promise resolves with the last.
        const closed = new Promise<void>((resolve) => listening.close(() => resolve()));
        listening.closeIdleConnections();
        await closed;
        clearTimeout(force);
      }
      return { unfinished };
    },
  };
}
