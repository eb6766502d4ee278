// Start-up checks across the identity sources: ids that cannot collide (a person's `sub`
// must stay theirs when a source is added), transport that protects passwords and codes.
import type { Problem } from '../../config/errors.js';
import type { AccountConfig } from '../../config/schema.js';
import type { IdentitySourceConfig } from './schema.js';

export function checkSources(sources: readonly IdentitySourceConfig[], accounts: readonly AccountConfig[], development: boolean): Problem[] {
  const problems: Problem[] = [];
  const seen = new Map<string, number>();
  sources.forEach((source, i) => {
    const at = `sources[${i}]`;
    const earlier = seen.get(source.id);
    if (earlier !== undefined) problems.push({ field: `${at}.id`, message: `is the same as sources[${earlier}].id; each source needs its own (it is part of its people's sub)` });
    else seen.set(source.id, i);
    if (source.type === 'ldap' && !development && source.url.startsWith('ldap://') && !source.startTls) {
      problems.push({ field: `${at}.url`, message: 'sends passwords in clear: use ldaps:// or set startTls (production mode)', rule: 'EP-11' });
    }
    if (source.type === 'oidc') {
      if (!source.scope.split(' ').includes('openid')) problems.push({ field: `${at}.scope`, message: 'must include openid (an ID token proves who signed in upstream)', rule: 'OIDC-1' });
      if (!development && !source.issuer.startsWith('https://')) problems.push({ field: `${at}.issuer`, message: 'must be an https URL in production mode', rule: 'EP-11' });
      if (source.link.by === 'claim' && !Object.hasOwn(source.claims, source.link.claim)) {
        problems.push({ field: `${at}.link.claim`, message: `"${source.link.claim}" is not one of this source's mapped claims (sources[${i}].claims)` });
      }
    }
  });
  // A file account's id that looks like another source's subject would be that person's too.
  accounts.forEach((account, i) => {
    const id = account.id ?? account.username;
    const clash = sources.find((s) => s.type !== 'file' && id.startsWith(`${s.id}:`));
    if (clash) problems.push({ field: `accounts[${i}].id`, message: `starts with "${clash.id}:", which names the subjects of source ${clash.id}` });
  });
  return problems;
}
