// An LDAP directory as a password source (ldapts): a pool of connections bound as the
// service account finds the person by the configured filter; a bind as the person, on a
// connection of its own, checks the password. The password goes only into that bind: it is
// never stored, logged or put in an error. Attributes become claims by the configured map.
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Client, InvalidCredentialsError, type Entry } from 'ldapts';
import { Pool } from 'tarn';
import type { Account } from '../store.js';
import type { LdapSourceConfig } from './schema.js';
import { SourceUnavailableError, type PasswordSource } from './types.js';

/** RFC 4515: a value inside a filter cannot close it or widen it. */
export function escapeFilterValue(value: string): string {
  return value.replace(/[\\*()\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

type Claims = Record<string, unknown>;

/** The first value of a single-valued attribute, all values of a multi-valued one. */
function valueOf(raw: Entry[string] | undefined): unknown {
  if (raw === undefined) return undefined;
  const values = (Array.isArray(raw) ? raw : [raw]).map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : v));
  if (values.length === 0) return undefined;
  return values.length === 1 ? values[0] : values;
}

export function claimsOf(entry: Entry, map: Readonly<Record<string, string>>): Claims {
  const claims: Claims = {};
  // Attribute names are case-insensitive in LDAP; ldapts keeps the server's spelling.
  const byLower = new Map(Object.keys(entry).map((k) => [k.toLowerCase(), k]));
  for (const [claim, attribute] of Object.entries(map)) {
    const key = byLower.get(attribute.toLowerCase());
    const value = key === undefined ? undefined : valueOf(entry[key]);
    if (value !== undefined) claims[claim] = value;
  }
  return claims;
}

export interface LdapSourceOptions {
  /** the service account's password, resolved by the config loader */
  bindPassword: string;
  /** the deployment file's folder, for a relative caFile */
  resolvePath?: (path: string) => string;
}

export function createLdapSource(config: LdapSourceConfig, options: LdapSourceOptions): PasswordSource {
  const info = { id: config.id, kind: 'ldap' as const, label: config.label };
  const prefix = `${config.id}:`;
  const ca = config.caFile ? readFileSync(options.resolvePath ? options.resolvePath(config.caFile) : config.caFile, 'utf8') : undefined;
  const tlsOptions: ConnectionOptions = { ...(ca ? { ca } : {}), minVersion: 'TLSv1.2' };
  const attributes = [...new Set([config.subject, ...Object.values(config.claims)])];
  // Active Directory's objectGUID (and the like) is binary: its `sub` is the hex of its bytes.
  const binarySubject = /guid$/i.test(config.subject);
  const explicitBufferAttributes = binarySubject ? [config.subject] : [];
  const unavailable = (cause: unknown) => new SourceUnavailableError(info, { cause });

  async function connect(): Promise<Client> {
    // ldapts opens TLS whenever it is given tlsOptions: only for ldaps://, StartTLS gets them itself.
    const ldaps = config.url.startsWith('ldaps://');
    const client = new Client({ url: config.url, timeout: config.timeouts.operation * 1000, connectTimeout: config.timeouts.connect * 1000, ...(ldaps ? { tlsOptions } : {}) });
    if (config.startTls) await client.startTLS(tlsOptions);
    return client;
  }

  const pool = new Pool<Client>({
    async create() {
      const client = await connect();
      try {
        await client.bind(config.bind.dn, options.bindPassword);
      } catch (err) {
        await client.unbind().catch(() => undefined);
        throw err;
      }
      return client;
    },
    destroy: (client) => client.unbind().catch(() => undefined),
    validate: (client) => client.isConnected,
    min: 0,
    max: config.pool.size,
    acquireTimeoutMillis: config.pool.acquireTimeout * 1000,
    createTimeoutMillis: (config.timeouts.connect + config.timeouts.operation) * 1000,
    idleTimeoutMillis: 60_000,
    // A directory that refuses connections fails this sign-in now, not after acquireTimeout.
    propagateCreateError: true,
  });

  /** Search with a pooled service connection; a broken connection is dropped, not reused. */
  async function search(filter: string, sizeLimit: number, scope: 'base' | 'one' | 'sub' = config.search.scope): Promise<Entry[]> {
    let client: Client;
    try {
      client = await pool.acquire().promise;
    } catch (err) {
      throw unavailable(err);
    }
    try {
      const { searchEntries } = await client.search(config.search.base, { scope, filter, attributes, explicitBufferAttributes, sizeLimit: sizeLimit + 1 });
      pool.release(client);
      return searchEntries;
    } catch (err) {
      // Closed before it goes back: validate() then drops it instead of lending it out again.
      await client.unbind().catch(() => undefined);
      pool.release(client);
      throw unavailable(err);
    }
  }

  /** The person's entry for what they typed; undefined unless exactly one matches. */
  async function findPerson(username: string): Promise<Entry | undefined> {
    const filter = config.search.filter.replaceAll('{username}', escapeFilterValue(username));
    const entries = await search(filter, 1);
    return entries.length === 1 ? entries[0] : undefined;
  }

  async function bindAs(dn: string, password: string): Promise<boolean> {
    let client: Client | undefined;
    try {
      client = await connect();
      await client.bind(dn, password);
      return true;
    } catch (err) {
      if (err instanceof InvalidCredentialsError) return false;
      throw unavailable(err);
    } finally {
      await client?.unbind().catch(() => undefined);
    }
  }

  const accountOf = (entry: Entry): Account | undefined => {
    const raw = entry[config.subject] ?? entry[Object.keys(entry).find((k) => k.toLowerCase() === config.subject.toLowerCase()) ?? ''];
    const first = Array.isArray(raw) ? raw[0] : raw;
    const subject = Buffer.isBuffer(first) ? first.toString('hex') : valueOf(raw);
    if (typeof subject !== 'string' || !subject) return undefined;
    return { id: `${prefix}${subject}`, claims: claimsOf(entry, config.claims) };
  };

  const byAttribute = async (attribute: string, value: string): Promise<Account | undefined> => {
    const entries = await search(`(${attribute}=${escapeFilterValue(value)})`, 1);
    return entries.length === 1 && entries[0] ? accountOf(entries[0]) : undefined;
  };

  // A wrong name and a wrong password both cost a bind: the answer's timing says nothing about who exists.
  const decoyDn = `cn=no-such-person,${config.search.base}`;

  return {
    ...info,
    async authenticate(username, password) {
      // An empty password is an unauthenticated bind (RFC 4513 §5.1.2), which succeeds: never a sign-in.
      if (!password || !username.trim()) return undefined;
      const entry = await findPerson(username.trim());
      const account = entry ? accountOf(entry) : undefined;
      if (!entry || !account) {
        await bindAs(decoyDn, password).catch(() => false);
        return undefined;
      }
      return (await bindAs(entry.dn, password)) ? account.id : undefined;
    },
    async find(id) {
      if (!id.startsWith(prefix)) return undefined;
      const value = id.slice(prefix.length);
      if (!binarySubject) return byAttribute(config.subject, value);
      // A binary value in a filter: every byte escaped (RFC 4515).
      if (!/^(?:[0-9a-f]{2})+$/.test(value)) return undefined;
      const entries = await search(`(${config.subject}=${value.replace(/../g, (byte) => `\\${byte}`)})`, 1);
      return entries.length === 1 && entries[0] ? accountOf(entries[0]) : undefined;
    },
    async findByClaim(claim, value) {
      const attribute = config.claims[claim];
      return attribute ? byAttribute(attribute, value) : undefined;
    },
    async ready() {
      try {
        // A real round trip: a pooled connection can look open after the directory went away.
        await search('(objectClass=*)', 1, 'base');
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      await pool.destroy();
    },
  };
}
