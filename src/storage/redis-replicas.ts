// TOK-1, TOK-4, OIDC-8 across a failover (issue 12): a single-use write (a code or refresh
// token used, a PAR request URI, an initial access token, a CIBA request, a DPoP or
// assertion jti) and a consent-ledger append are acknowledged only once the replicas
// have it: Redis WAIT on the connection that wrote, with a timeout. A promoted replica
// then cannot bring back a code that was already redeemed. A wait that times out is an
// outage (StoreUnavailableError: 503 temporarily_unavailable) — the write may still be on
// the master, so the code counts as used there, but nothing was handed out that a
// failover could undo.
//
// Setting (store.waitForReplicas): { replicas, timeoutMs } waits for that many on every
// master; false never waits; unset waits for one replica on each master that has one
// (INFO replication, checked on every connect and every few seconds).
import type { Redis } from 'ioredis';
import { io, isCluster, type RedisClient, type RedisStoreConfig } from './redis-client.js';
import { StoreUnavailableError } from './store.js';

export type WaitSetting = RedisStoreConfig['waitForReplicas'];

/** Default wait in auto mode; below the command timeout, so a slow replica is a clear 503. */
export const DEFAULT_WAIT_MS = 1000;
const AUTO_CHECK_MS = 5000;

export interface ReplicaWait {
  /** Resolves once the replicas have every write this process made so far; throws StoreUnavailableError if not in time. */
  wait(): Promise<void>;
  stop(): void;
}

function masters(client: RedisClient): Redis[] {
  return isCluster(client) ? client.nodes('master') : [client];
}

export function replicaWait(client: RedisClient, setting: WaitSetting): ReplicaWait {
  if (setting === false) return { wait: () => Promise.resolve(), stop: () => undefined };
  const explicit = setting;
  // Auto: how many replicas each master connection last reported.
  const seen = new WeakMap<Redis, number>();
  let timer: NodeJS.Timeout | undefined;
  const refresh = async () => {
    await Promise.all(
      masters(client).map(async (node) => {
        const info = await node.info('replication').catch(() => '');
        seen.set(node, Number(/connected_slaves:(\d+)/.exec(info)?.[1] ?? 0));
      }),
    );
  };
  if (!explicit) {
    client.on('ready', () => void refresh());
    if (client.status === 'ready') void refresh();
    timer = setInterval(() => void refresh(), AUTO_CHECK_MS);
    timer.unref();
  }
  const target = (node: Redis) => (explicit ? explicit.replicas : Math.min(1, seen.get(node) ?? 0));
  const timeoutMs = explicit ? explicit.timeoutMs : DEFAULT_WAIT_MS;

  return {
    async wait() {
      await Promise.all(
        masters(client).map(async (node) => {
          const replicas = target(node);
          if (replicas === 0) return;
          // WAIT counts the writes of this connection: every command of the store runs on it.
          const acked = await io(() => node.wait(replicas, timeoutMs));
          if (acked < replicas) throw new StoreUnavailableError(`${acked} of ${replicas} replicas acknowledged the write within ${timeoutMs} ms`);
        }),
      );
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
