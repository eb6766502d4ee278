// Reading secret material named in the deployment file: inline, `{ "env" }` or `{ "file" }`
// (relative to the file's directory). Each problem is kept, with its field, for one
// ConfigError listing them all; with `resolveSecrets: false` nothing secret is read and each
// field left unread is noted instead (the compliance report's --no-secrets).
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Problem } from './errors.js';
import type { SecretRef } from './schema.js';
import { isRepeatedByte } from '../policy/secrets.js';

/** Functions without `this`: callers may take them apart. */
export interface SecretReader {
  /** what went wrong so far, each with its field */
  readonly problems: Problem[];
  /** secret fields deliberately left unread, e.g. `secrets.lookupKey (file /run/secrets/k)` */
  readonly unresolvedSecrets: string[];
  /** a path in the file, made absolute against the file's directory */
  readonly fromFile: (path: string) => string;
  /** false (and noted) when secret material at `field` is to be left unread */
  readonly reading: (field: string, where: string) => boolean;
  /** a secret's value; undefined when unread or missing (a problem noted) */
  readonly read: (ref: SecretRef, field: string) => string | undefined;
  /** a secret that must be 32 random bytes, base64url */
  readonly key32: (ref: SecretRef, field: string, rule?: string) => Buffer | undefined;
  /** a file's text ('' and a problem when unreadable); `secret` files are left unread when asked */
  readonly readFile: (path: string, field: string, secret?: boolean) => string;
}

export function secretReader(baseDir: string, env: NodeJS.ProcessEnv, resolveSecrets: boolean): SecretReader {
  const problems: Problem[] = [];
  const unresolvedSecrets: string[] = [];
  const fromFile = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const reading = (field: string, where: string): boolean => {
    if (!resolveSecrets) unresolvedSecrets.push(`${field} (${where})`);
    return resolveSecrets;
  };

  const read = (ref: SecretRef, field: string): string | undefined => {
    if (typeof ref === 'string') return ref;
    if (!reading(field, 'env' in ref ? `env ${ref.env}` : `file ${ref.file}`)) return undefined;
    if ('env' in ref) {
      const value = env[ref.env];
      if (!value) problems.push({ field, message: `environment variable ${ref.env} is not set` });
      return value || undefined;
    }
    try {
      return readFileSync(fromFile(ref.file), 'utf8').trim();
    } catch (err) {
      problems.push({ field, message: `cannot read secret file ${ref.file} (${(err as NodeJS.ErrnoException).code ?? 'error'})` });
      return undefined;
    }
  };

  const key32 = (ref: SecretRef, field: string, rule = 'TOK-2'): Buffer | undefined => {
    const value = read(ref, field);
    if (value === undefined) return undefined;
    const bytes = Buffer.from(value, 'base64url');
    if (bytes.length !== 32) {
      problems.push({ field, message: 'must be 32 random bytes, base64url-encoded (e.g. `openssl rand -base64 32 | tr "+/" "-_" | tr -d =`)', rule });
      return undefined;
    }
    if (isRepeatedByte(bytes)) {
      problems.push({ field, message: 'is one byte repeated (all zeros or the like), not random bytes', rule });
      return undefined;
    }
    return bytes;
  };

  const readFile = (path: string, field: string, secret = false): string => {
    if (secret && !reading(field, `file ${path}`)) return '';
    try {
      return readFileSync(fromFile(path), 'utf8');
    } catch (err) {
      problems.push({ field, message: `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})` });
      return '';
    }
  };

  return { problems, unresolvedSecrets, fromFile, reading, read, key32, readFile };
}
