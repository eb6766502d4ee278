// Several IdP replicas on one Redis (issue 4): separate processes running src/main.ts with
// one deployment file and the same secrets and signing keys, behind a test proxy that
// holds the issuer address. The library builds its URLs from the request's Host, so the
// proxy keeps the Host and only chooses the replica: the one named in the
// `x-test-replica` request header, else `proxy.route`. It records which replica served
// what, so a test can prove a flow really crossed them.
//
// Secrets and private keys are made up here, at test time, and live only in environment
// variables of the children and a 0600 file in a temp dir removed at close.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { exportJWK, generateKeyPair } from 'jose';
import type { RawConfig } from '../../src/config/schema.js';
import { testRawConfig } from './idp.js';
import { freePort, startRedisServer } from './redis-server.js';

const HOST = '127.0.0.1';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const HEAP_PROBE = fileURLToPath(new URL('./heap-probe.ts', import.meta.url));

export type ReplicaName = 'a' | 'b';
export const REPLICA_HEADER = 'x-test-replica';
export const SERVED_BY_HEADER = 'x-test-served-by';

export interface Served {
  replica: ReplicaName;
  method: string;
  /** path only: query strings are not kept */
  path: string;
  status: number;
}

export interface ReplicaProxy {
  readonly url: string;
  /** the replica a request goes to when it does not name one */
  route: ReplicaName;
  /** every request the proxy forwarded, in order of response */
  readonly served: Served[];
  close(): Promise<void>;
}

export interface Replica {
  readonly name: ReplicaName;
  readonly port: number;
  /** the replica's own address, bypassing the proxy (for /readyz and /healthz) */
  readonly url: string;
  readonly child: ChildProcess;
  alive(): boolean;
  /** what the process printed (capped) */
  output(): string;
  /** heap in use after a full GC, measured inside the process (test/helpers/heap-probe.ts) */
  heapUsed(): Promise<number>;
  /** SIGTERM, and the exit code */
  stop(): Promise<number | null>;
}

export interface ReplicaSet {
  /** the issuer: the proxy's address */
  readonly issuer: string;
  readonly proxy: ReplicaProxy;
  readonly replicas: Record<ReplicaName, Replica>;
  close(): Promise<void>;
}

export interface ReplicaOptions {
  redisUrl: string;
  keyPrefix: string;
  /** patched into the test deployment file (clients, lifetimes, …) */
  patch?: Partial<RawConfig>;
}

/** fetch through the proxy to a chosen replica */
export function via(replica: ReplicaName, init: RequestInit = {}): RequestInit {
  const headers = new Headers(init.headers);
  headers.set(REPLICA_HEADER, replica);
  return { ...init, headers };
}

async function startProxy(ports: Record<ReplicaName, number>, port: number): Promise<ReplicaProxy> {
  const agent = new Agent({ keepAlive: true });
  const served: Served[] = [];
  const proxy = {
    url: `http://${HOST}:${port}`,
    route: 'a' as ReplicaName,
    served,
    close: () => Promise.resolve(),
  };
  const server = createServer((req, res) => {
    const named = req.headers[REPLICA_HEADER];
    const replica: ReplicaName = named === 'a' || named === 'b' ? named : proxy.route;
    const headers: IncomingHttpHeaders = { ...req.headers };
    delete headers[REPLICA_HEADER];
    const path = new URL(req.url ?? '/', proxy.url).pathname;
    const upstream = request({ host: HOST, port: ports[replica], method: req.method, path: req.url, headers, agent }, (answer) => {
      const status = answer.statusCode ?? 502;
      served.push({ replica, method: req.method ?? 'GET', path, status });
      res.writeHead(status, { ...answer.headers, [SERVED_BY_HEADER]: replica });
      answer.pipe(res);
    });
    upstream.on('error', () => {
      served.push({ replica, method: req.method ?? 'GET', path, status: 502 });
      if (!res.headersSent) res.writeHead(502, { [SERVED_BY_HEADER]: replica });
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => resolve());
  });
  proxy.close = () =>
    new Promise<void>((resolve) => {
      agent.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
}

async function privateJwks(): Promise<{ keys: Record<string, unknown>[] }> {
  const keys = await Promise.all(
    ['ES256', 'PS256'].map(async (alg) => {
      const { privateKey } = await generateKeyPair(alg, { extractable: true });
      return { ...(await exportJWK(privateKey)), alg, use: 'sig', kid: `replicas-${alg.toLowerCase()}` };
    }),
  );
  return { keys };
}

const key32 = () => randomBytes(32).toString('base64url');

/** The environment of a replica: the parent's, minus what would override the file. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['REDIS_URL', 'ISSUER', 'PORT', 'IDP_CONFIG', 'NODE_OPTIONS', 'NODE_TEST_CONTEXT']) delete env[name];
  return { ...env, LOG_LEVEL: 'info', ...extra };
}

function startReplica(name: ReplicaName, port: number, configPath: string, env: Record<string, string>): Replica {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', '--import', HEAP_PROBE, 'src/main.ts', '--config', configPath], {
    cwd: ROOT,
    env: childEnv({ ...env, PORT: String(port) }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const heapWaiters: ((n: number) => void)[] = [];
  const keep = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    for (const line of text.split('\n')) {
      if (!line.includes('"test.heap"')) continue;
      const heap = (JSON.parse(line) as { heapUsed: number }).heapUsed;
      heapWaiters.shift()?.(heap);
    }
    output = (output + text).slice(-64 * 1024);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  process.once('exit', () => child.kill('SIGKILL'));

  return {
    name,
    port,
    url: `http://${HOST}:${port}`,
    child,
    alive: () => child.exitCode === null && child.signalCode === null,
    output: () => output,
    heapUsed() {
      const measured = new Promise<number>((resolve) => heapWaiters.push(resolve));
      child.kill('SIGUSR2');
      return measured;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(force);
      return code;
    },
  };
}

/** Waits until the replica answers /readyz with 200; fails at once if it exits. */
export async function waitReady(replica: Replica, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!replica.alive()) throw new Error(`replica ${replica.name} exited:\n${replica.output()}`);
    const ok = await fetch(`${replica.url}/readyz`).then((r) => r.status === 200, () => false);
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`replica ${replica.name} not ready:\n${replica.output()}`);
}

/** Two replicas of one deployment on one Redis, behind the proxy at the issuer address. */
export async function startReplicaSet(options: ReplicaOptions): Promise<ReplicaSet> {
  const dir = mkdtempSync(join(tmpdir(), 'idp-replicas-'));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', cleanup);

  const jwksPath = join(dir, 'signing-jwks.json');
  writeFileSync(jwksPath, JSON.stringify(await privateJwks()), { mode: 0o600 });
  const secrets = { IDP_COOKIE_KEY: key32(), IDP_SEALING_KEY: key32(), IDP_LOOKUP_KEY: key32(), IDP_DPOP_NONCE_KEY: key32() };

  const [proxyPort, portA, portB] = [await freePort(), await freePort(), await freePort()] as [number, number, number];
  const issuer = `http://${HOST}:${proxyPort}`;
  const config: RawConfig = testRawConfig(issuer, {
    // Tests stop replicas at once; the drain on SIGTERM has its own test (shutdown.test.ts).
    shutdown: { drain: 0 },
    ...options.patch,
    keys: { signing: { path: jwksPath } },
    secrets: {
      cookieKeys: [{ env: 'IDP_COOKIE_KEY' }],
      sealingKeys: [{ kid: 'test-1', key: { env: 'IDP_SEALING_KEY' } }],
      lookupKey: { env: 'IDP_LOOKUP_KEY' },
      dpopNonceKey: { env: 'IDP_DPOP_NONCE_KEY' },
    },
    store: { type: 'redis', url: options.redisUrl, keyPrefix: options.keyPrefix },
  });
  const configPath = join(dir, 'deployment.json');
  writeFileSync(configPath, JSON.stringify(config), { mode: 0o600 });

  // PORT moves each replica; ISSUER keeps them on the one issuer (in development mode a
  // PORT alone would move a loopback issuer with it).
  const env = { ...secrets, ISSUER: issuer };
  const replicas = { a: startReplica('a', portA, configPath, env), b: startReplica('b', portB, configPath, env) };
  try {
    await Promise.all([waitReady(replicas.a), waitReady(replicas.b)]);
  } catch (err) {
    await Promise.all([replicas.a.stop(), replicas.b.stop()]);
    cleanup();
    throw err;
  }
  const proxy = await startProxy({ a: portA, b: portB }, proxyPort);

  return {
    issuer,
    proxy,
    replicas,
    async close() {
      await proxy.close();
      await Promise.all([replicas.a.stop(), replicas.b.stop()]);
      cleanup();
    },
  };
}

export interface ReplicasOnRedis {
  readonly set: ReplicaSet;
  /** the Redis both replicas use */
  readonly redisUrl: string;
  /** the prefix of every key this set writes, unique to it */
  readonly keyPrefix: string;
  /** the keys under this set's prefix that match `pattern` (after the prefix), read from Redis itself */
  keys(pattern: string): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Two replicas on REDIS_URL when it is set, else on a redis-server started for them, under
 * a key prefix of their own; close() stops the replicas, then that server.
 */
export async function startReplicasOnRedis(patch: Partial<RawConfig>): Promise<ReplicasOnRedis> {
  const redis = process.env.REDIS_URL ? undefined : await startRedisServer();
  const redisUrl = process.env.REDIS_URL ?? redis?.url ?? '';
  const keyPrefix = `test:${randomUUID().slice(0, 8)}:`;
  let set: ReplicaSet;
  try {
    set = await startReplicaSet({ redisUrl, keyPrefix, patch });
  } catch (err) {
    await redis?.stop();
    throw err;
  }
  return {
    set,
    redisUrl,
    keyPrefix,
    async keys(pattern) {
      const client = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        await client.connect();
        return await client.keys(`${keyPrefix}${pattern}`);
      } finally {
        client.disconnect();
      }
    },
    async close() {
      await set.close();
      await redis?.stop();
    },
  };
}
