// `npm run keys -- generate|rotate|retire|status --config PATH [--promote-after SECONDS] [--force]`
// (compiled: `node dist/src/keys/cli.js ...`): manages the deployment's signing JWKS file,
// `keys.signing.path` in the deployment file (EP-7, TOK-9). Running IdPs pick the change up
// by watching the file (and on SIGHUP); see config/guides/keys.md.
// The deployment file is read with the loader's schema only, so no secrets are needed here.
// Output: key ids and states, never key material. Exit 0: done; 2: refused (the reason).
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG, type Jwks } from '../config/load.js';
import { configSchema } from '../config/schema.js';
import { createLogger } from '../ops/log.js';
import { enabledSigningAlgs } from '../policy/algorithms.js';
import { keyStatus, newKey, retire, rotate } from './lifecycle.js';

/** Default promotion delay: must exceed how long relying parties cache /jwks. */
export const DEFAULT_PROMOTE_AFTER = 3600;
const USAGE = `usage: npm run keys -- generate|rotate|retire|status --config PATH [--promote-after SECONDS (rotate; default ${DEFAULT_PROMOTE_AFTER})] [--max-lifetime SECONDS (retire)] [--force]`;

class Refused extends Error {}

function deployment(path: string) {
  const parsed = configSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')) as unknown);
  if (!parsed.success) throw new Refused(`${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const signing = parsed.data.keys?.signing;
  if (!signing || !('path' in signing)) throw new Refused(`${path}: keys.signing.path is not set; only a key file can be managed (EP-7)`);
  const file = isAbsolute(signing.path) ? signing.path : resolve(dirname(path), signing.path);
  const { idToken, accessToken } = parsed.data.algorithms;
  const { lifetimes } = parsed.data;
  // Everything signed with a key: ID tokens, JWT access tokens, signed responses.
  const maxLifetime = Math.max(lifetimes.idToken, lifetimes.accessToken);
  return { file, algs: [...new Set(enabledSigningAlgs([...idToken, accessToken]))], maxLifetime };
}

function readKeys(file: string): Jwks {
  return JSON.parse(readFileSync(file, 'utf8')) as Jwks;
}

/** Replace the file in one rename, so a watching IdP never reads half of it; private: 0600. */
function writeKeys(file: string, jwks: Jwks): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(jwks, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

function seconds(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Refused(`${flag} must be a whole number of seconds`);
  return n;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    options: { config: { type: 'string' }, 'promote-after': { type: 'string' }, 'max-lifetime': { type: 'string' }, force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  const command = positionals[0];
  if (values.help || !command || positionals.length > 1) {
    (values.help ? process.stdout : process.stderr).write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const { file, algs, maxLifetime } = deployment(values.config ?? process.env.IDP_CONFIG ?? DEFAULT_CONFIG);
  const now = Math.floor(Date.now() / 1000);
  const logger = createLogger();
  const report = (jwks: Jwks) => {
    for (const s of keyStatus(jwks, now)) process.stdout.write(`${s.kid}\t${s.alg}\t${s.state}\tactivates ${new Date(s.activateAt * 1000).toISOString()}${s.stoppedAt ? `\tstopped signing ${new Date(s.stoppedAt * 1000).toISOString()}` : ''}\n`);
  };

  switch (command) {
    case 'generate': {
      if (existsSync(file) && !values.force) throw new Refused(`${file} exists; rotate it, or generate --force to replace every key (tokens signed with the old ones stop verifying)`);
      const jwks = { keys: await Promise.all(algs.map((alg) => newKey(alg, now))) };
      writeKeys(file, jwks);
      report(jwks);
      return 0;
    }
    case 'rotate': {
      const promoteAfter = seconds(values['promote-after'], '--promote-after', DEFAULT_PROMOTE_AFTER);
      const { jwks, added } = await rotate(readKeys(file), algs, now, promoteAfter);
      if (!added.length) throw new Refused('every algorithm already has a pending key; wait for its promotion');
      writeKeys(file, jwks);
      logger.log('info', 'keys.rotated', { action: 'rotate', file, added: added.map((k) => k.kid), activateAt: new Date((now + promoteAfter) * 1000).toISOString() });
      report(jwks);
      return 0;
    }
    case 'retire': {
      const lifetime = seconds(values['max-lifetime'], '--max-lifetime', maxLifetime);
      const result = retire(readKeys(file), now, lifetime, values.force === true);
      if (result.tooYoung.length) {
        process.stderr.write(`not retired (tokens they signed may still be valid for ${lifetime}s after they stopped signing; --force to remove anyway): ${result.tooYoung.map((s) => s.kid).join(', ')}\n`);
      }
      if (!result.removed.length) throw new Refused('no key can be retired yet');
      writeKeys(file, result.jwks);
      logger.log('info', 'keys.rotated', { action: 'retire', file, removed: result.removed.map((s) => s.kid), forced: values.force === true });
      report(result.jwks);
      return 0;
    }
    case 'status':
      report(readKeys(file));
      return 0;
    default:
      throw new Refused(`unknown command ${command}\n${USAGE}`);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Refused ? 'Refused' : 'Failed'}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
