// Test Redis: a throw-away redis-server (or a 3-master Cluster, or a master watched by one
// Sentinel) on free loopback ports, or the server named by REDIS_URL. Without
// redis-server on the PATH the Redis suites are skipped loudly on a developer machine and
// fail in CI (CI=true).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
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

/** How a test signs in to its Redis: `requirepass`, or an ACL user. */
export interface RedisCredentials {
  username?: string;
  password: string;
}

/**
 * Sends one inline command over a raw socket (no client library retries); the reply line.
 * With `auth`, AUTH goes first and its +OK is not part of the answer.
 */
export function rawCommand(port: number, command: string, timeoutMs = 500, auth?: RedisCredentials): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: HOST, port });
    let data = '';
    let authPending = auth !== undefined;
    const fail = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    socket.setTimeout(timeoutMs, () => fail(new Error('timeout')));
    socket.on('error', fail);
    const authLine = auth ? `AUTH ${auth.username ? `${auth.username} ` : ''}${auth.password}\r\n` : '';
    socket.on('connect', () => socket.write(`${authLine}${command}\r\n`));
    socket.on('data', (chunk) => {
      data += chunk.toString('utf8');
      if (authPending) {
        if (!data.includes('\r\n')) return;
        if (!data.startsWith('+OK\r\n')) {
          socket.end();
          resolve(data);
          return;
        }
        data = data.slice(5);
        authPending = false;
      }
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
  /** never carries the credentials: tests pass them the way a deployment file does */
  readonly url: string;
  /** what it takes to sign in, when the server was started with a password or ACL user */
  readonly auth?: RedisCredentials | undefined;
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

/** The server's arguments for `auth`: `requirepass`, or an ACL user with the default user off. */
function authArgs(auth: RedisCredentials | undefined): string[] {
  if (!auth) return [];
  if (!auth.username) return ['--requirepass', auth.password];
  return ['--user', 'default', 'off', '--user', auth.username, 'on', `>${auth.password}`, '~*', '&*', '+@all'];
}

/** Arguments for redis-cli that sign in with `auth` (through the environment, not argv). */
export function cliAuth(auth: RedisCredentials | undefined): { args: string[]; env: NodeJS.ProcessEnv } {
  if (!auth) return { args: [], env: process.env };
  return { args: auth.username ? ['--user', auth.username] : [], env: { ...process.env, REDISCLI_AUTH: auth.password } };
}

/**
 * A redis-server on a free loopback port in a temp dir, no persistence. Already started.
 * `auth`: a `requirepass` password, or an ACL user (the default user is then off).
 */
export async function startRedisServer(extraArgs: readonly string[] = [], auth?: RedisCredentials): Promise<LocalRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'idp-redis-'));
  let child: ChildProcess | undefined;

  const server: LocalRedis = {
    port,
    url: `redis://${HOST}:${port}`,
    auth,
    async start() {
      const args = ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no', '--dir', dir, ...authArgs(auth), ...extraArgs];
      const started = spawn('redis-server', args, { stdio: 'ignore' });
      child = started;
      started.unref();
      await waitFor(async () => (await rawCommand(port, 'PING', 500, auth)).startsWith('+PONG'), `redis-server on port ${port}`);
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

/** Three masters, no replicas, slots spread by `redis-cli --cluster create`; `auth` on every node. */
export async function startRedisCluster(auth?: RedisCredentials): Promise<LocalCluster> {
  const servers = await Promise.all(
    [0, 1, 2].map(() => startRedisServer(['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000'], auth)),
  );
  const cli = cliAuth(auth);
  const stopAll = async () => {
    await Promise.all(servers.map((s) => s.stop()));
  };
  try {
    const create = spawnSync(
      'redis-cli',
      [...cli.args, '--cluster', 'create', ...servers.map((s) => `${HOST}:${s.port}`), '--cluster-replicas', '0', '--cluster-yes'],
      { encoding: 'utf8', timeout: 20_000, env: cli.env },
    );
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stderr || create.stdout}`);
    for (const s of servers) {
      await waitFor(async () => (await rawCommand(s.port, 'CLUSTER INFO', 500, auth)).includes('cluster_state:ok'), `cluster state ok on ${s.port}`);
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

export interface SentinelOptions {
  /** the master's own `requirepass` (Sentinel is told it with `sentinel auth-pass`) */
  masterPassword?: string;
  /** the Sentinel's own password (`requirepass` in sentinel.conf) */
  sentinelPassword?: string;
}

/** One master and one Sentinel (quorum 1) watching it, as group `idp-test`. */
export async function startRedisSentinel(options: SentinelOptions = {}): Promise<LocalSentinel> {
  const master = await startRedisServer([], options.masterPassword ? { password: options.masterPassword } : undefined);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'idp-sentinel-'));
  const conf = join(dir, 'sentinel.conf');
  // Sentinel rewrites its config file, so it lives in the temp dir (0600: it holds passwords).
  const lines = [`port ${port}`, `bind ${HOST}`, `dir ${dir}`, `sentinel monitor idp-test ${HOST} ${master.port} 1`, 'sentinel down-after-milliseconds idp-test 2000'];
  if (options.masterPassword) lines.push(`sentinel auth-pass idp-test ${options.masterPassword}`);
  if (options.sentinelPassword) lines.push(`requirepass ${options.sentinelPassword}`);
  writeFileSync(conf, [...lines, ''].join('\n'), { mode: 0o600 });
  const sentinelAuth = options.sentinelPassword ? { password: options.sentinelPassword } : undefined;
  const child = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
  child.unref();
  const stop = async () => {
    await stopProcess(child);
    await master.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', () => child.kill('SIGKILL'));
  try {
    await waitFor(async () => (await rawCommand(port, 'SENTINEL get-master-addr-by-name idp-test', 500, sentinelAuth)).includes(String(master.port)), `sentinel on port ${port}`);
  } catch (err) {
    await stop();
    throw err;
  }
  return { master, sentinels: [{ host: HOST, port }], name: 'idp-test', stop };
}

/** What the proxy between master and replica does with master→replica bytes. */
export type LinkMode = { kind: 'pass' } | { kind: 'delay'; ms: number } | { kind: 'hold' };

export interface LaggingSentinel {
  readonly master: LocalRedis;
  readonly replica: LocalRedis;
  readonly sentinels: { host: string; port: number }[];
  readonly name: string;
  /** pass, delay or hold (buffer, never deliver) the master→replica replication bytes */
  link(mode: LinkMode): void;
  /** SENTINEL FAILOVER: the replica becomes master with what it has (held bytes are dropped) */
  failover(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A master, a replica that replicates through a small TCP proxy (so a test can make it
 * lag: master→replica bytes delayed or held), and one Sentinel watching them. Everyone
 * reaches the master through the proxy (else the Sentinel would "fix" the replica to
 * replicate from the master's own port); only the replication link is slowed.
 */
export async function startLaggingSentinel(): Promise<LaggingSentinel> {
  const master = await startRedisServer();
  let mode: LinkMode = { kind: 'pass' };
  const links = new Set<Socket>();
  const proxy = createServer((fromReplica) => {
    const toMaster = createConnection({ host: HOST, port: master.port });
    links.add(fromReplica).add(toMaster);
    fromReplica.pipe(toMaster);
    // The replication link announces itself (REPLCONF, PSYNC); other clients pass untouched.
    let replication = false;
    fromReplica.on('data', (chunk: Buffer) => {
      replication ||= /REPLCONF|PSYNC/i.test(chunk.toString('latin1'));
    });
    toMaster.on('data', (chunk: Buffer) => {
      if (!replication) {
        fromReplica.write(chunk);
        return;
      }
      if (mode.kind === 'hold') return; // lost with the proxy: never delivered
      if (mode.kind === 'pass') fromReplica.write(chunk);
      else setTimeout(() => fromReplica.writable && fromReplica.write(chunk), mode.ms);
    });
    const close = () => {
      fromReplica.destroy();
      toMaster.destroy();
    };
    fromReplica.on('error', close).on('close', close);
    toMaster.on('error', close).on('close', close);
  });
  const proxyPort = await freePort();
  await new Promise<void>((resolve) => proxy.listen(proxyPort, HOST, () => resolve()));
  const replica = await startRedisServer(['--replicaof', HOST, String(proxyPort), '--replica-announce-ip', HOST]);
  await waitFor(async () => /slave0:.*state=online/.test(await rawCommand(master.port, 'INFO replication', 500)), 'the replica online');

  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'idp-sentinel-'));
  const conf = join(dir, 'sentinel.conf');
  writeFileSync(conf, [`port ${port}`, `bind ${HOST}`, `dir ${dir}`, `sentinel monitor idp-test ${HOST} ${proxyPort} 1`, 'sentinel down-after-milliseconds idp-test 2000', 'sentinel failover-timeout idp-test 10000', ''].join('\n'));
  const child = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
  child.unref();
  process.once('exit', () => child.kill('SIGKILL'));
  const stop = async () => {
    for (const s of links) s.destroy();
    proxy.close();
    await stopProcess(child);
    await Promise.all([master.stop(), replica.stop()]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(async () => (await rawCommand(port, 'SENTINEL replicas idp-test', 1000)).includes(String(replica.port)), 'the Sentinel to know the replica', 20_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    master,
    replica,
    sentinels: [{ host: HOST, port }],
    name: 'idp-test',
    link(next) {
      mode = next;
    },
    async failover() {
      mode = { kind: 'hold' };
      await waitFor(async () => (await rawCommand(port, 'SENTINEL FAILOVER idp-test', 1000)).startsWith('+OK'), 'SENTINEL FAILOVER accepted', 20_000);
      await waitFor(async () => (await rawCommand(port, 'SENTINEL get-master-addr-by-name idp-test', 500)).includes(String(replica.port)), 'the replica promoted', 20_000);
      for (const s of links) s.destroy();
      proxy.close();
    },
    stop,
  };
}
