// Test Redis: a throw-away redis-server (or a 3-master Cluster, or a master watched by one
// Sentinel) on free loopback ports, or the server named by REDIS_URL. Without
// redis-server on the PATH the Redis suites are skipped loudly on a developer machine and
// fail in CI (CI=true).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const HOST = '127.0.0.1';
export const NOT_RUN_MESSAGE = 'REDIS SUITE DID NOT RUN: install redis-server, e.g. apt-get install -y redis-server';

function onPath(binary: string): boolean {
  return spawnSync(binary, ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * `false` when local redis-server processes can be started, else the skip message (after
 * printing it loudly). Throws in CI, where a missing Redis is a failure, never a skip.
 */
export function redisServerSkip(): string | false {
  if (onPath('redis-server') && onPath('redis-cli')) return false;
  if (process.env.CI === 'true') throw new Error(`redis-server/redis-cli not on PATH in CI. ${NOT_RUN_MESSAGE}`);
  const bar = '!'.repeat(NOT_RUN_MESSAGE.length);
  process.stderr.write(`\n${bar}\n${NOT_RUN_MESSAGE}\n${bar}\n\n`);
  return NOT_RUN_MESSAGE;
}

/** Skip message for suites that can also use REDIS_URL. */
export function redisSkip(): string | false {
  return process.env.REDIS_URL ? false : redisServerSkip();
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Sends one inline command over a raw socket (no client library retries); the reply line. */
export function rawCommand(port: number, command: string, timeoutMs = 500): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: HOST, port });
    let data = '';
    const fail = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    socket.setTimeout(timeoutMs, () => fail(new Error('timeout')));
    socket.on('error', fail);
    socket.on('connect', () => socket.write(`${command}\r\n`));
    socket.on('data', (chunk) => {
      data += chunk.toString('utf8');
      const eol = data.indexOf('\r\n');
      if (eol < 0) return;
      // A bulk reply ($<len>) is complete once its body has arrived.
      if (data.startsWith('$') && Buffer.byteLength(data) < eol + 2 + Number(data.slice(1, eol)) + 2) return;
      socket.end();
      resolve(data);
    });
  });
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

export interface LocalRedis {
  readonly port: number;
  readonly url: string;
  /** Starts the server (again) on the same port. */
  start(): Promise<void>;
  /** Stops the server; its data is gone (no persistence). */
  stop(): Promise<void>;
}

function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.ref(); // keep the event loop alive until the exit is seen
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** A redis-server on a free loopback port in a temp dir, no persistence. Already started. */
export async function startRedisServer(extraArgs: readonly string[] = []): Promise<LocalRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'idp-redis-'));
  let child: ChildProcess | undefined;

  const server: LocalRedis = {
    port,
    url: `redis://${HOST}:${port}`,
    async start() {
      const args = ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no', '--dir', dir, ...extraArgs];
      const started = spawn('redis-server', args, { stdio: 'ignore' });
      child = started;
      started.unref();
      await waitFor(async () => (await rawCommand(port, 'PING')).startsWith('+PONG'), `redis-server on port ${port}`);
    },
    async stop() {
      await stopProcess(child);
      child = undefined;
    },
  };
  await server.start();
  process.once('exit', () => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  return server;
}

export interface LocalCluster {
  readonly nodes: { host: string; port: number }[];
  stop(): Promise<void>;
}

/** Three masters, no replicas, slots spread by `redis-cli --cluster create`. */
export async function startRedisCluster(): Promise<LocalCluster> {
  const servers = await Promise.all(
    [0, 1, 2].map(() => startRedisServer(['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000'])),
  );
  const stopAll = async () => {
    await Promise.all(servers.map((s) => s.stop()));
  };
  try {
    const create = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...servers.map((s) => `${HOST}:${s.port}`), '--cluster-replicas', '0', '--cluster-yes'],
      { encoding: 'utf8', timeout: 20_000 },
    );
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stderr || create.stdout}`);
    for (const s of servers) {
      await waitFor(async () => (await rawCommand(s.port, 'CLUSTER INFO')).includes('cluster_state:ok'), `cluster state ok on ${s.port}`);
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  return { nodes: servers.map((s) => ({ host: HOST, port: s.port })), stop: stopAll };
}

export interface LocalSentinel {
  readonly master: LocalRedis;
  readonly sentinels: { host: string; port: number }[];
  /** the master group name */
  readonly name: string;
  stop(): Promise<void>;
}

/** One master and one Sentinel (quorum 1) watching it, as group `idp-test`. */
export async function startRedisSentinel(): Promise<LocalSentinel> {
  const master = await startRedisServer();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'idp-sentinel-'));
  const conf = join(dir, 'sentinel.conf');
  // Sentinel rewrites its config file, so it lives in the temp dir.
  writeFileSync(conf, [`port ${port}`, `bind ${HOST}`, `dir ${dir}`, `sentinel monitor idp-test ${HOST} ${master.port} 1`, 'sentinel down-after-milliseconds idp-test 2000', ''].join('\n'));
  const child = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
  child.unref();
  const stop = async () => {
    await stopProcess(child);
    await master.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', () => child.kill('SIGKILL'));
  try {
    await waitFor(async () => (await rawCommand(port, 'SENTINEL get-master-addr-by-name idp-test')).includes(String(master.port)), `sentinel on port ${port}`);
  } catch (err) {
    await stop();
    throw err;
  }
  return { master, sentinels: [{ host: HOST, port }], name: 'idp-test', stop };
}
