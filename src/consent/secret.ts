// A secret of the `consent` section (the export token): inline, `{ env }` or `{ file }`,
// like the deployment file's other secrets. Never logged.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { SecretRef } from '../config/schema.js';

export function readSecret(ref: SecretRef, configSource: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (typeof ref === 'string') return ref;
  if ('env' in ref) return env[ref.env] || undefined;
  const path = isAbsolute(ref.file) ? ref.file : resolve(dirname(configSource), ref.file);
  try {
    return readFileSync(path, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
