// The identity sources of a deployment, as one account store for the rest of the IdP:
// password sources tried in the configured order (or the one the person chose), accounts
// found by whichever source gave their id. The file accounts keep their ids unprefixed, so
// a `sub` stays the same when a source is added; every other source prefixes `<id>:`.
import { isAbsolute, resolve } from 'node:path';
import type { Config } from '../../config/load.js';
import type { Store } from '../../storage/store.js';
import type { Account, AccountStore } from '../store.js';
import { createLdapSource } from './ldap.js';
import type { IdentitySourceConfig } from './schema.js';
import { SourceUnavailableError, type PasswordSource, type SourceInfo } from './types.js';
import { createUpstreamSource, type UpstreamSource } from './upstream.js';

export interface IdentitySources extends AccountStore {
  /** password sources, in the order they are tried */
  readonly passwords: readonly PasswordSource[];
  /** upstream OpenID Connect providers ("Sign in with …") */
  readonly upstreams: readonly UpstreamSource[];
  /** a password check against one source (the person chose it) or each in turn */
  authenticateAt(username: string, password: string, sourceId?: string): Promise<{ accountId: string; source: SourceInfo } | undefined>;
  /** the source whose account this is */
  sourceOf(accountId: string): SourceInfo | undefined;
  /** a local account holding this claim value (linking an upstream person) */
  findByClaim(claim: string, value: string): Promise<Account | undefined>;
  /** each source that can be asked, and whether it answers now (/readyz) */
  readiness(): Promise<{ id: string; ready: boolean }[]>;
  /** OIDC-8: remember which source a session signed in with (for consents later in it) */
  rememberSessionSource(sessionUid: string, sourceId: string): Promise<void>;
  sessionSource(sessionUid: string): Promise<string | undefined>;
  close(): Promise<void>;
}

export const FILE_SOURCE: SourceInfo = { id: 'file', kind: 'file', label: 'Agency accounts' };
/** An agency's account module (plugins.accounts) in the file accounts' place: its ids unprefixed too. */
export const PLUGIN_SOURCE: SourceInfo = { id: 'plugin', kind: 'plugin', label: 'Agency accounts' };

/** The home accounts (the file's, an embedding program's, or a plug-in's) as one source. */
function asHomeSource(home: SourceInfo, accounts: AccountStore, label: string, claimsOf?: (claim: string, value: string) => string | undefined): PasswordSource {
  return {
    ...home,
    label,
    authenticate: (u, p) => accounts.authenticate(u, p),
    find: (id) => accounts.find(id),
    ...(claimsOf
      ? {
          async findByClaim(claim: string, value: string) {
            const id = claimsOf(claim, value);
            return id === undefined ? undefined : accounts.find(id);
          },
        }
      : {}),
  };
}

export interface SourceOptions {
  /** the file accounts (or what replaces them) */
  fileAccounts: AccountStore;
  store: Store;
  /** the home accounts are an agency's module (plugins.accounts) */
  plugin?: boolean;
}

export function createIdentitySources(config: Config, { fileAccounts, store, plugin = false }: SourceOptions): IdentitySources {
  const resolvePath = (p: string) => (isAbsolute(p) ? p : resolve(config.baseDir, p));
  const listed: IdentitySourceConfig[] = config.sources.some((s) => s.type === 'file') ? config.sources : [{ type: 'file', id: 'file', label: FILE_SOURCE.label }, ...config.sources];
  // Only the file's own accounts can be searched by claim; a module's or an embedder's store cannot.
  const fileClaim = (claim: string, value: string) => {
    const match = config.accounts.filter((a) => a.claims[claim] === value);
    return match.length === 1 && match[0] ? (match[0].id ?? match[0].username) : undefined;
  };

  const sessions = store.adapter('SignInSource');
  const passwords: PasswordSource[] = [];
  const upstreams: UpstreamSource[] = [];
  for (const source of listed) {
    if (source.type === 'file') passwords.push(plugin ? asHomeSource(PLUGIN_SOURCE, fileAccounts, source.label) : asHomeSource(FILE_SOURCE, fileAccounts, source.label, fileClaim));
    else if (source.type === 'ldap') passwords.push(createLdapSource(source, { bindPassword: config.sourceSecrets[source.id] ?? '', resolvePath }));
    else upstreams.push(createUpstreamSource(source, { config, store, secret: config.sourceSecrets[source.id] ?? '' }));
  }

  const owner = (accountId: string): PasswordSource | UpstreamSource | undefined => {
    const colon = accountId.indexOf(':');
    const prefix = colon > 0 ? accountId.slice(0, colon) : undefined;
    const home = (s: SourceInfo) => s.kind === 'file' || s.kind === 'plugin';
    const prefixed = prefix === undefined ? undefined : [...passwords, ...upstreams].find((s) => !home(s) && s.id === prefix);
    return prefixed ?? passwords.find(home);
  };

  const sources: IdentitySources = {
    passwords,
    upstreams,
    async authenticateAt(username, password, sourceId) {
      const candidates = sourceId === undefined ? passwords : passwords.filter((s) => s.id === sourceId);
      let down: SourceUnavailableError | undefined;
      for (const source of candidates) {
        try {
          const accountId = await source.authenticate(username, password);
          if (accountId !== undefined) return { accountId, source };
        } catch (err) {
          // One source away must not stop people of the next; if nobody matched, say which was away.
          if (!(err instanceof SourceUnavailableError)) throw err;
          down ??= err;
        }
      }
      if (down) throw down;
      return undefined;
    },
    async authenticate(username, password) {
      return (await sources.authenticateAt(username, password))?.accountId;
    },
    find(id) {
      return owner(id)?.find(id) ?? Promise.resolve(undefined);
    },
    sourceOf(accountId) {
      const source = owner(accountId);
      return source ? { id: source.id, kind: source.kind, label: source.label } : undefined;
    },
    async findByClaim(claim, value) {
      for (const source of passwords) {
        const account = await source.findByClaim?.(claim, value);
        if (account) return account;
      }
      return undefined;
    },
    async readiness() {
      const askable = passwords.flatMap((s) => (s.ready ? [{ id: s.id, ready: s.ready.bind(s) }] : []));
      return Promise.all(askable.map(async ({ id, ready }) => ({ id, ready: await ready().catch(() => false) })));
    },
    async rememberSessionSource(sessionUid, sourceId) {
      await sessions.upsert(sessionUid, { source: sourceId }, config.lifetimes.session);
    },
    async sessionSource(sessionUid) {
      const found = (await sessions.find(sessionUid)) as { source?: unknown } | undefined;
      return typeof found?.source === 'string' ? found.source : undefined;
    },
    async close() {
      await Promise.all(passwords.map(async (s) => s.close?.().catch(() => undefined)));
    },
  };
  return sources;
}
