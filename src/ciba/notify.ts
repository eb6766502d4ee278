// The provider's outgoing requests (CIBA ping notifications, jwks_uri, …). Production:
// exactly the library's default, with its guard against private and loopback addresses.
// Development mode only: a relying party on this machine (https on a loopback address,
// its certificate from `ciba.loopbackCaFile`) may be called, so ping can be tried locally.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { rootCertificates } from 'node:tls';
import type { Configuration } from 'oidc-provider';
import type { Config } from '../config/load.js';
import { ConfigError } from '../config/errors.js';

type Fetch = NonNullable<Configuration['fetch']>;
type DispatcherClass = new (options: { connect: { ca: string[] } }) => object;

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

function readCa(config: Config, path: string): string {
  const file = isAbsolute(path) ? path : resolve(dirname(config.source), path);
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(config.source, [{ field: 'ciba.loopbackCaFile', message: `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})` }]);
  }
}

export function outgoingFetch(config: Config): Fetch {
  const library: Fetch = (url, options) => globalThis.fetch(url, options);
  const caFile = config.ciba.loopbackCaFile;
  if (caFile === undefined) return library;
  if (config.mode !== 'development') {
    throw new ConfigError(config.source, [{ field: 'ciba.loopbackCaFile', message: 'is for development mode only (a relying party on this machine)', rule: 'EP-9' }]);
  }
  const ca = [...rootCertificates, readCa(config, caFile)];
  let loopbackDispatcher: object | undefined;

  return (url, options) => {
    const target = url instanceof Request ? url.url : url;
    if (!LOOPBACK.has(new URL(target).hostname)) return library(url, options);
    // The library's dispatcher refuses loopback sockets; a sibling of it (same undici
    // Agent class) trusting the configured CA is used for loopback targets only.
    const init = options as RequestInit & { dispatcher?: object };
    const Agent = init.dispatcher?.constructor as DispatcherClass | undefined;
    if (Agent) loopbackDispatcher ??= new Agent({ connect: { ca } });
    return globalThis.fetch(url, { ...init, ...(loopbackDispatcher ? { dispatcher: loopbackDispatcher } : {}) });
  };
}
