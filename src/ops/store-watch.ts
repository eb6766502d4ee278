// An unreachable store must be visible while the IdP keeps retrying: at start-up and
// then at most once per `every` while it stays away, a warning names the address (never
// credentials); when it is back, one line says so.
import type { Config } from '../config/load.js';
import type { Store } from '../storage/store.js';
import type { Logger } from './log.js';

/** Where the store is, as an operator would write it, without user name or password. */
export function storeAddress(store: Config['store']): string {
  if (store.type === 'memory') return 'memory';
  if (store.cluster?.length) return `cluster ${store.cluster.map((n) => `${n.host}:${n.port}`).join(',')}`;
  if (store.sentinels?.length) return `sentinel ${store.name ?? '?'} via ${store.sentinels.map((n) => `${n.host}:${n.port}`).join(',')}`;
  try {
    const url = new URL(store.url ?? '');
    url.username = '';
    url.password = '';
    return url.href;
  } catch {
    return '(unparseable url)';
  }
}

export interface StoreWatch {
  stop(): void;
}

export function watchStore(store: Store, config: Config, logger: Logger, { checkEvery = 2000, reportEvery = 30_000 } = {}): StoreWatch {
  if (store.kind !== 'redis') return { stop: () => undefined };
  const address = storeAddress(config.store);
  let down = false;
  let since = 0;
  let lastReport = 0;
  let failedChecks = 0;

  async function check(): Promise<void> {
    const ok = await store.ready().catch(() => false);
    const now = Date.now();
    if (ok) {
      if (down) logger.log('info', 'store.reachable', { store: store.kind, address, downForSeconds: Math.round((now - since) / 1000) });
      down = false;
      failedChecks = 0;
      return;
    }
    failedChecks += 1;
    if (!down) {
      down = true;
      since = now;
    }
    if (now - lastReport >= reportEvery) {
      lastReport = now;
      logger.log('warn', 'store.unreachable', { store: store.kind, address, downForSeconds: Math.round((now - since) / 1000), failedChecks });
    }
  }

  void check();
  const timer = setInterval(() => void check(), checkEvery);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
