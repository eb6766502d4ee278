// Deployment file → validated, resolved Config. Environment variables override what
// operators set per environment (src/config/env.ts); secrets come from the file, an env var
// or a file path (src/config/resolve.ts, src/config/reader.ts).
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { redisUrlProblem } from '../policy/store.js';
import type { Config } from './config.js';
import { applyEnv } from './env.js';
import { ConfigError, pathOf } from './errors.js';
import { resolveConfig, type ResolveOptions } from './resolve.js';
import { configSchema } from './schema.js';

export { API_KEY_MIN_LENGTH, type ClientEntry, type Config, type Jwks, type RedisAuth, type Secrets, type TlsMaterial } from './config.js';
export { resolveConfig } from './resolve.js';

export const DEFAULT_CONFIG = 'config/development.json';

export interface LoadOptions extends ResolveOptions {
  env?: NodeJS.ProcessEnv;
}

function readJson(path: string, source: string, field: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(source, [{ field, message: `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})` }]);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ConfigError(source, [{ field, message: `${path} is not valid JSON: ${(err as Error).message}` }]);
  }
}

export function loadConfig(path: string, options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const source = path;
  // Named as the operator set it: the variable, not the file field it overrides.
  const redisEnv = env.REDIS_URL ? redisUrlProblem(env.REDIS_URL) : undefined;
  if (redisEnv) throw new ConfigError(source, [{ field: 'REDIS_URL (environment variable)', message: redisEnv }]);
  const raw = applyEnv(readJson(path, source, '(file)'), env);
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      source,
      parsed.error.issues.map((issue) => ({
        field: pathOf(issue.path),
        // A bad record key (a scope name) says what was wrong with it, not just "Invalid key".
        message: issue.code === 'invalid_key' ? `invalid name: ${issue.issues.map((i) => i.message).join('; ')}` : issue.message,
      })),
    );
  }
  return resolveConfig(parsed.data, source, dirname(path), env, options);
}
