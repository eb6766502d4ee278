// Where each identity source keeps its one secret, so the loader reads it like every other
// secret in the file (inline, env or file) and never keeps the reference's value elsewhere.
import type { SecretRef } from '../../config/secret.js';
import type { IdentitySourceConfig } from './schema.js';

export function sourceSecretRefs(sources: readonly IdentitySourceConfig[]): { id: string; field: string; ref: SecretRef }[] {
  return sources.flatMap((source, i) => {
    if (source.type === 'ldap') return [{ id: source.id, field: `sources[${i}].bind.password`, ref: source.bind.password }];
    if (source.type === 'oidc') {
      const auth = source.clientAuth;
      return [auth.method === 'client_secret_post' ? { id: source.id, field: `sources[${i}].clientAuth.secret`, ref: auth.secret } : { id: source.id, field: `sources[${i}].clientAuth.key`, ref: auth.key }];
    }
    return [];
  });
}
