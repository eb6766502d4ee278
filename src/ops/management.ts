// The management listener (`management` in the deployment file): /metrics for Prometheus,
// /healthz and /readyz for the orchestrator, on its own port — loopback by default — so
// that none of it is reachable where the sign-in pages are.
import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface ManagementDeps {
  registry: Registry;
  ready: () => Promise<boolean>;
}

export function managementServer({ registry, ready }: ManagementDeps): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'method not allowed\n');
    if (path === '/healthz') return send(200, 'application/json', '{"status":"ok"}');
    if (path === '/readyz') {
      void ready().then(
        (ok) => send(ok ? 200 : 503, 'application/json', JSON.stringify({ status: ok ? 'ready' : 'unavailable' })),
        () => send(503, 'application/json', '{"status":"unavailable"}'),
      );
      return;
    }
    if (path === '/metrics') {
      void registry.metrics().then(
        (text) => send(200, registry.contentType, text),
        () => send(500, 'text/plain', 'metrics unavailable\n'),
      );
      return;
    }
    send(404, 'text/plain', 'not found\n');
  });
}
