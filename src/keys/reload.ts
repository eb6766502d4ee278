// EP-7: the IdP picks up a changed signing-key file without a restart (on SIGHUP and by
// watching the file), and promotes a pending key when its time comes.
//
// How: oidc-provider fixes its keystore at construction and has no public way to change it.
// Its own initializer (lib/helpers/initialize_keystore.js) is what the constructor calls;
// calling it again on the same provider validates the new set and swaps both the signing
// keystore and the published /jwks in one synchronous assignment, so no request sees half a
// change, and everything else (adapters, middleware, sessions) stays as it is. A bad file
// is refused and the current keys stay. test/integration/key-rotation.test.ts pins this.
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { Provider } from 'oidc-provider';
import initializeKeystore from 'oidc-provider/lib/helpers/initialize_keystore.js';
import type { Jwks } from '../config/load.js';
import type { Logger } from '../ops/log.js';
import { keyStatus, nextActivation, providerJwks } from './lifecycle.js';

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Give the provider this file's keys as they stand now. Throws (keeping the old keys) if invalid. */
export function applySigningKeys(provider: Provider, jwks: Jwks, now = nowSeconds()): void {
  initializeKeystore.call(provider, providerJwks(jwks, now));
}

export interface KeyWatcher {
  /** re-read the file now (SIGHUP) */
  reload(reason: string): void;
  close(): void;
}

export interface WatchOptions {
  /** fs.watchFile polling interval, ms (polling also sees a file replaced by rename) */
  intervalMs?: number;
  debounceMs?: number;
  /** told each time the keys that sign or are published change (the audit trail's keys.rotated) */
  onRotated?: (change: { phase: string; kids: string[] }) => void;
  /** told after every key set the provider takes (the cached /jwks is dropped) */
  onApplied?: () => void;
}

function readJwks(path: string): Jwks {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  if (!parsed || typeof parsed !== 'object' || !Array.isArray((parsed as Jwks).keys) || !(parsed as Jwks).keys.length) {
    throw new Error('not a JWKS with at least one key');
  }
  return parsed as Jwks;
}

export function watchSigningKeys(provider: Provider, path: string, initial: Jwks, logger: Logger, options: WatchOptions = {}): KeyWatcher {
  let current = initial;
  let promoteTimer: NodeJS.Timeout | undefined;
  let debounce: NodeJS.Timeout | undefined;
  let signing = '';

  const describe = (jwks: Jwks) => keyStatus(jwks, nowSeconds()).map((s) => `${s.kid}:${s.state}`).join(',');

  const apply = (reason: string) => {
    applySigningKeys(provider, current);
    options.onApplied?.();
    const status = describe(current);
    if (status !== signing) {
      signing = status;
      // Key ids and states only: never key material.
      logger.log('info', 'keys.rotated', { reason, path, keys: keyStatus(current, nowSeconds()).map(({ kid, alg, state }) => ({ kid, alg, state })) });
      options.onRotated?.({ phase: reason, kids: status.split(',') });
    }
    schedule();
  };

  // A pending key signs from its activate_at on, with no file change needed.
  const schedule = () => {
    if (promoteTimer) clearTimeout(promoteTimer);
    const next = nextActivation(current, nowSeconds());
    if (next === undefined) return;
    // Capped: setTimeout fires at once beyond ~24.8 days; a capped wake-up just re-schedules.
    promoteTimer = setTimeout(() => safely('promotion'), Math.min(Math.max(0, next * 1000 - Date.now()) + 50, 3_600_000));
    promoteTimer.unref();
  };

  const safely = (reason: string) => {
    try {
      if (reason !== 'promotion') current = readJwks(path);
      apply(reason);
    } catch (err) {
      // The running keys stay; the operator sees why the file was not taken.
      logger.log('error', 'keys.reload_failed', { reason, path, message: (err as Error).message });
    }
  };

  const reload = (reason: string) => {
    if (debounce) clearTimeout(debounce);
    debounce = setTimeout(() => safely(reason), options.debounceMs ?? 200);
    debounce.unref();
  };

  signing = describe(current);
  schedule();
  const onChange = () => reload('file changed');
  watchFile(path, { interval: options.intervalMs ?? 2000, persistent: false }, onChange);

  return {
    reload,
    close() {
      unwatchFile(path, onChange);
      if (promoteTimer) clearTimeout(promoteTimer);
      if (debounce) clearTimeout(debounce);
    },
  };
}
