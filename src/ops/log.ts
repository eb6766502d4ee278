// One JSON line per event on stdout. Messages name what happened, never a token, code,
// password, secret or key: callers pass only identifiers that are safe to keep.
export type Level = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: Level, event: string, fields?: Record<string, unknown>): void;
}

const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createLogger(min: Level = (process.env.LOG_LEVEL as Level | undefined) ?? 'info', out: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Logger {
  return {
    log(level, event, fields = {}) {
      if (ORDER[level] < ORDER[min]) return;
      out(JSON.stringify({ time: new Date().toISOString(), level, event, ...fields }));
    },
  };
}

export const silentLogger: Logger = { log: () => undefined };
