// Where the IdP listens. A laptop trial is not a network service: development mode binds
// to loopback unless `host` (or HOST) says otherwise; production binds every interface
// (it sits behind a proxy or load balancer) unless `host` narrows it.
import type { Config } from '../config/load.js';

export const DEVELOPMENT_HOST = '127.0.0.1';

/** The address to bind; undefined: every interface. */
export function listenHost(config: Pick<Config, 'mode' | 'host'>): string | undefined {
  return config.host ?? (config.mode === 'development' ? DEVELOPMENT_HOST : undefined);
}

/** "http://127.0.0.1:3000", or "every interface, port 3000", for the start-up line. */
export function listenDescription(host: string | undefined, port: number, tls: boolean): string {
  if (host === undefined || host === '0.0.0.0' || host === '::') return `every interface, port ${port}`;
  return `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * EP-11: how long an idle keep-alive connection stays open. A proxy (nginx, a load
 * balancer) reuses idle upstream connections for up to 60 s by default; Node's own 5 s
 * would close them first, and a request sent as one closes is reset (the caller sees 502).
 */
export const KEEP_ALIVE_MS = 65_000;
