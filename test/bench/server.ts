// One benchmark target in its own process (started by run.ts, pinned to the server's
// CPU when taskset is there). It listens on a free loopback port and answers the
// parent over IPC: its CPU time, its heap after a full GC, its store's record counts.
import type { Server } from 'node:http';
import type { Jwks } from '../../src/config/load.js';
import type { RawConfig } from '../../src/config/schema.js';
import { createIdp, type Idp } from '../../src/server.js';
import { configFrom, freePort } from '../helpers/idp.js';
import { createBaseline } from './baseline.js';
import { ALL_APIS, benchAccounts, SERVICE_CLIENT, TEST_SCOPES, WEB_CLIENT, type TargetSpec } from './shared.js';

export type ToServer = { type: 'usage' } | { type: 'heap' } | { type: 'stop' };
export type FromServer =
  | { type: 'ready'; url: string }
  | { type: 'failed'; message: string }
  | { type: 'usage'; cpuMicros: number }
  | { type: 'heap'; heapUsed: number; rss: number; external: number; storeEntries: number | undefined }
  | { type: 'stopped' };

/** Our deployment for the benchmark: the test deployment plus the benchmark's APIs and clients. */
export function oursRawConfig(issuer: string, port: number, jwks: Jwks, accounts: number, redisUrl?: string): RawConfig {
  return {
    mode: 'development',
    issuer,
    port,
    keys: { signing: { jwks } },
    scopes: TEST_SCOPES,
    resourceServers: ALL_APIS,
    accounts: benchAccounts(accounts),
    clients: [WEB_CLIENT, SERVICE_CLIENT],
    // The benchmark signs one person in from many browsers at once, by design: not a burst
    // to answer "try again shortly" (login.throttle.inFlight bounds it in production).
    // Likewise its one address and few usernames must not meet the per-address and
    // per-username counts (each try is reserved before its password is checked, so on a
    // busy machine many slow sign-ins at once would use them up).
    login: {
      throttle: {
        inFlight: { perAccount: 1000, perProcess: 1000 },
        address: { attempts: 1_000_000_000, window: 3600, blockFor: 1 },
        accountAddress: { attempts: 1_000_000_000, window: 900, blockFor: 1 },
        account: { attempts: 1_000_000_000, window: 300 },
        device: { attempts: 1_000_000_000, window: 900, blockFor: 1 },
      },
    },
    store: redisUrl ? { type: 'redis', url: redisUrl, keyPrefix: `bench${port}:` } : { type: 'memory' },
    // The load generator is one address and a few accounts: lift the per-address and
    // per-account limits that would otherwise (rightly) stop it.
    limits: { stateCreating: { requests: 1_000_000_000 } },
    consent: { decisionLimits: { perClient: 1_000_000_000, perAccount: 1_000_000_000 } },
  };
}

function send(message: FromServer): void {
  process.send?.(message);
}

async function start(spec: TargetSpec): Promise<{ url: string; close(): Promise<void>; idp?: Idp }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  if (spec.name === 'baseline') {
    const provider = createBaseline(url, spec.jwks, spec.accounts);
    const server = await new Promise<Server>((resolve, reject) => {
      const s = provider.listen(port, '127.0.0.1', () => resolve(s));
      s.on('error', reject);
    });
    return { url, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
  }
  // Like the logs (no logger here), audit events are not written: the bench measures the IdP, not its stdout.
  const idp = await createIdp(configFrom(oursRawConfig(url, port, spec.jwks, spec.accounts, spec.redisUrl)), { auditSink: { write: () => undefined } });
  await idp.listen(port, '127.0.0.1');
  return { url, idp, close: async () => void (await idp.close()) };
}

async function fullGc(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.env.BENCH_TARGET ?? '{}') as TargetSpec;
  let running: Awaited<ReturnType<typeof start>>;
  try {
    running = await start(spec);
  } catch (err) {
    send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
    process.exit(0);
  }
  process.on('message', (raw: ToServer) => {
    void (async () => {
      if (raw.type === 'usage') {
        const u = process.cpuUsage();
        send({ type: 'usage', cpuMicros: u.user + u.system });
      } else if (raw.type === 'heap') {
        await fullGc();
        const m = process.memoryUsage();
        send({ type: 'heap', heapUsed: m.heapUsed, rss: m.rss, external: m.external, storeEntries: running.idp?.store.stats().entries });
      } else if (raw.type === 'stop') {
        await running.close();
        send({ type: 'stopped' });
        process.disconnect();
        process.exit(0);
      }
    })();
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', url: running.url });
}

void main();
