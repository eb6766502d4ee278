// An agency's logger behind our Logger interface. Whatever it does with a line, it never
// sees a secret field's value: the same field names pino redacts for our own logger.
import { SECRET_FIELDS, type Level, type Logger } from '../ops/log.js';
import type { PinoCompatibleLogger } from './kinds.js';

const SECRET = new Set<string>(SECRET_FIELDS);
const LEVELS: readonly Level[] = ['debug', 'info', 'warn', 'error'];

/** A copy of `value` with every secret field's value replaced, at any depth. */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 8 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET.has(k.toLowerCase()) ? '[redacted]' : redactSecrets(v, depth + 1)]));
}

function isPinoCompatible(value: Logger | PinoCompatibleLogger): value is PinoCompatibleLogger {
  return LEVELS.every((level) => typeof (value as unknown as Record<string, unknown>)[level] === 'function');
}

export function pluginLogger(provided: Logger | PinoCompatibleLogger): Logger {
  const write = isPinoCompatible(provided)
    ? (level: Level, line: Record<string, unknown>) => provided[level](line)
    : (level: Level, line: Record<string, unknown>) => {
        const { event, ...fields } = line;
        provided.log(level, String(event), fields);
      };
  return {
    log(level, event, fields = {}) {
      try {
        write(level, { event, ...(redactSecrets(fields) as Record<string, unknown>) });
      } catch {
        // A failing logger must not fail the request that logged.
      }
    },
  };
}
