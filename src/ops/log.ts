// Structured JSON logs through pino: one line per event on stdout. Messages name what
// happened, never a token, code, password, secret or key; callers pass only identifiers
// that are safe to keep, and redaction by field path is the second line of defence.
import { pino, type DestinationStream, type Logger as Pino, type LoggerOptions } from 'pino';
import { currentRequest } from './request-scope.js';

export type Level = 'debug' | 'info' | 'warn' | 'error';

/**
 * The IdP's logger: one structured line per event. `fields` carry identifiers, never a
 * secret. An agency's logger module may return this or a pino-compatible logger.
 */
export interface Logger {
  log(level: Level, event: string, fields?: Record<string, unknown>): void;
}

/** Field names whose values are secret wherever they appear (top level, or one or two levels down). */
export const SECRET_FIELDS = [
  'authorization',
  'cookie',
  'set-cookie',
  'password',
  'client_secret',
  'client_assertion',
  'assertion',
  'code',
  'code_verifier',
  'access_token',
  'refresh_token',
  'id_token',
  'id_token_hint',
  'logout_token',
  'token',
  'dpop',
  'request',
  'registration_access_token',
  'initial_access_token',
  'auth_req_id',
  'login_hint_token',
  'user_code',
  'device_code',
  'secret',
] as const;

const REDACT_PATHS = SECRET_FIELDS.flatMap((f) => {
  const key = /^[A-Za-z_$][\w$]*$/.test(f) ? f : `["${f}"]`;
  const join = (prefix: string) => (key.startsWith('[') ? `${prefix}${key}` : `${prefix}.${key}`);
  return [key, join('*'), join('*.*')];
});

const LEVELS: readonly Level[] = ['debug', 'info', 'warn', 'error'];

function levelFrom(value: string | undefined): Level {
  return LEVELS.includes(value as Level) ? (value as Level) : 'info';
}

/** The pino options every logger of the IdP shares (exported for the redaction test). */
export function pinoOptions(level: Level): LoggerOptions<never> {
  return {
    level,
    base: undefined,
    messageKey: 'message',
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    // Every line written while serving a request carries that request's id.
    mixin: () => {
      const request = currentRequest();
      return request ? { requestId: request.requestId } : {};
    },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
}

/**
 * The logger of a process. `out` receives each line (tests capture them); by default
 * they go to stdout. The level comes from LOG_LEVEL unless given.
 */
export function createLogger(min: Level = levelFrom(process.env.LOG_LEVEL), out?: (line: string) => void): Logger {
  const destination: DestinationStream | undefined = out ? { write: (line: string) => out(line.replace(/\n$/, '')) } : undefined;
  const base: Pino = destination ? pino(pinoOptions(min), destination) : pino(pinoOptions(min));
  return {
    log(level, event, fields = {}) {
      base[level]({ event, ...fields });
    },
  };
}

export const silentLogger: Logger = { log: () => undefined };
