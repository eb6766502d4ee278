// What start-up says about a deployment file, without starting anything: the same checks
// in the same order as `npm start` (load and resolve, the policy, then each key tried).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, type Problem } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';
import type { RawConfig } from '../../src/config/schema.js';
import { checkDeployment } from '../../src/policy/deployment.js';
import { signingKeyProblems } from '../../src/provider/keys.js';
import { KEY32, PRODUCTION_JWKS, RANDOM_TEXT } from './production.js';

const dir = mkdtempSync(join(tmpdir(), 'idp-startup-'));
let files = 0;

/** Write a file into a fresh temporary directory; returns its path. */
export function tempFile(content: unknown, name = `file-${(files += 1)}.json`): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** A production file that starts: TLS at a proxy, real keys, random secrets, one declared instance. */
export function productionRaw(patch: Partial<RawConfig> = {}): RawConfig {
  return {
    mode: 'production',
    issuer: 'https://id.example.health',
    proxy: true,
    keys: { signing: { jwks: PRODUCTION_JWKS } },
    secrets: { cookieKeys: [RANDOM_TEXT], sealingKeys: [{ kid: 'k1', key: KEY32 }], lookupKey: KEY32 },
    store: { type: 'memory', singleInstance: true },
    ...patch,
  };
}

export interface Verdict {
  problems: readonly Problem[];
  warnings: readonly Problem[];
  /** what an operator reads on stderr */
  text: string;
}

export async function startupVerdict(raw: unknown, env: NodeJS.ProcessEnv = {}): Promise<Verdict> {
  try {
    const config = loadConfig(tempFile(raw), { env });
    const policy = checkDeployment(config);
    const problems = [...policy.problems, ...(policy.problems.length || !config.signingJwks ? [] : await signingKeyProblems(config.signingJwks))];
    return { problems, warnings: policy.warnings, text: problems.length ? new ConfigError('test', problems).format() : '' };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { problems: err.problems, warnings: [], text: err.format() };
  }
}

/** [field, rule] of each problem, for compact assertions. */
export const fieldsAndRules = (problems: readonly Problem[]) => problems.map((p) => [p.field, p.rule]);

/**
 * What start-up says when `run` refuses: its ConfigError's first problem's field and the
 * text an operator reads, which holds no stack trace. Fails if `run` goes on, or throws
 * anything but a ConfigError.
 */
export async function startupError(run: () => Promise<unknown>): Promise<{ field: string; text: string }> {
  try {
    await run();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `a ConfigError, not ${String(err)}`);
    const text = err.format();
    assert.doesNotMatch(text, /\n\s+at .*:\d+:\d+/, 'no stack trace');
    return { field: err.problems[0]?.field ?? '', text };
  }
  assert.fail('start-up went on');
}
