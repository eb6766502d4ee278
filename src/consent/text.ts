// OIDC-8: each record names the version of the consent text the person saw. A deployment
// may name it (`consent.textVersion`); otherwise it is a digest of the consent page and
// every scope description, so any change to the wording changes the version.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/load.js';
import { VIEWS } from '../paths.js';
import { BUILT_IN } from './scopes.js';

export function consentTextVersion(config: Config): string {
  if (config.consent.textVersion) return config.consent.textVersion;
  const hash = createHash('sha256');
  hash.update(readFileSync(join(VIEWS, 'consent.ejs')));
  hash.update(JSON.stringify(BUILT_IN));
  hash.update(JSON.stringify(Object.entries(config.scopes).map(([k, v]) => [k, v.description, v.claims, v.optional])));
  hash.update(JSON.stringify(config.resourceServers.map((r) => [r.identifier, r.name, r.scopes])));
  return `sha256:${hash.digest('hex').slice(0, 16)}`;
}
