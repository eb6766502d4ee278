// GR-1, GR-5, GR-7, TOK-5: which grant types a client may register, and who gets refresh
// tokens. Registration: the password grant never, unknown grants never, refresh_token not
// for public clients. Token issue: a refresh token only to a confidential client granted
// offline access (the library's issueRefreshToken).
import type { Problem } from '../../config/errors.js';
import { CIBA_GRANT } from './ciba.js';
import type { Executor } from './types.js';

const KNOWN_GRANTS = new Set(['authorization_code', 'refresh_token', 'client_credentials', 'implicit', CIBA_GRANT]);

/** TOK-5, GR-7: whether a code exchange issues a refresh token. */
export function mayIssueRefreshToken(client: { authMethod: string | undefined; refreshGrantAllowed: boolean }, scopes: ReadonlySet<string>): boolean {
  return client.authMethod !== 'none' && client.refreshGrantAllowed && scopes.has('offline_access');
}

export const grants: Executor = {
  name: 'grants',
  report: [
    { rule: 'GR-5', mechanism: 'the library has no password grant and this project registers none; a registration listing it is refused (src/policy/executors/grants.ts)' },
    { rule: 'TOK-5', mechanism: 'issueRefreshToken issues one to a confidential client granted offline_access (src/policy/executors/grants.ts mayIssueRefreshToken); access tokens are capped under an hour (TOK-3), so lasting access needs a refresh token' },
    { rule: 'GR-7', mechanism: 'issueRefreshToken never issues one to a client authenticating with none, and registration refuses refresh_token for public clients (src/policy/executors/grants.ts)' },
  ],
  checkClient(_meta, { grantTypes, isPublic }) {
    const problems: Problem[] = [];
    for (const gt of grantTypes) {
      if (gt === 'password') problems.push({ field: 'grant_types', message: 'the resource-owner password credentials grant is never offered', rule: 'GR-5' });
      else if (!KNOWN_GRANTS.has(gt)) problems.push({ field: 'grant_types', message: `"${gt}" is not offered`, rule: 'GR-1' });
    }
    if (grantTypes.includes('refresh_token') && isPublic) {
      problems.push({ field: 'grant_types', message: 'refresh tokens are not issued to public clients', rule: 'GR-7' });
    }
    return problems;
  },
};
