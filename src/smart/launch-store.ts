// OIDC-9: SMART launch values and launch contexts, kept in the deployment's store (sealed
// like every record, TOK-2; shared by replicas on Redis). A `launch` value is opaque,
// short-lived and single-use: the store's atomic consume decides which redemption wins.
// A launch context is bound to the grant it was given under: refreshes of that grant see
// it, no other client's grant does.
import { randomBytes } from 'node:crypto';
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { LaunchContext, LaunchRecord } from '../policy/smart-launch.js';
import type { Store } from '../storage/store.js';

export interface SmartStore {
  /** Keeps a new launch and returns its opaque value. */
  issueLaunch(record: Omit<LaunchRecord, 'exp'>, ttl: number): Promise<string>;
  findLaunch(value: string): Promise<LaunchRecord | undefined>;
  /** Marks it used; rejects when another redemption got there first. */
  consumeLaunch(value: string): Promise<void>;
  /** The context of a grant, when the grant was given with one. */
  contextOf(grantId: string): Promise<GrantContext | undefined>;
  bindContext(grantId: string, context: GrantContext, ttl: number): Promise<void>;
}

export interface GrantContext {
  clientId: string;
  context: LaunchContext;
}

const epoch = () => Math.floor(Date.now() / 1000);

export function smartStore(store: Store): SmartStore {
  // Opened on first use: building the provider's configuration (the compliance report
  // does, with no store) must not open anything.
  let opened: { launches: Adapter; contexts: Adapter } | undefined;
  const adapters = () => (opened ??= { launches: store.adapter('SmartLaunch'), contexts: store.adapter('SmartContext') });
  return {
    async issueLaunch(record, ttl) {
      // 256 bits: a launch value cannot be guessed (it is a bearer of a patient's context).
      const value = randomBytes(32).toString('base64url');
      await adapters().launches.upsert(value, { ...record, exp: epoch() + ttl }, ttl);
      return value;
    },
    async findLaunch(value) {
      const found = (await adapters().launches.find(value)) as unknown as LaunchRecord | undefined;
      return found ?? undefined;
    },
    consumeLaunch: (value) => adapters().launches.consume(value),
    async contextOf(grantId) {
      const found = (await adapters().contexts.find(grantId)) as unknown as GrantContext | undefined;
      return found ?? undefined;
    },
    bindContext: (grantId, context, ttl) => adapters().contexts.upsert(grantId, context as unknown as AdapterPayload, ttl),
  };
}
