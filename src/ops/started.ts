// idp.started: what an assurance reviewer needs to tie a running IdP to its deployment
// file — a SHA-256 of the file as deployed (compare with `sha256sum`), never its contents.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Config } from '../config/load.js';

export function deploymentDigest(config: Config): string {
  let bytes: Buffer | string;
  try {
    bytes = readFileSync(config.source);
  } catch {
    // Built in code (tests, an embedding program): the resolved settings without any secret.
    const { secrets: _secrets, tlsMaterial: _tls, signingJwks: _keys, ...settings } = config;
    bytes = JSON.stringify(settings);
  }
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}
