// The audit sinks the deployment file can choose (`audit.sink`): standard output (one
// JSON line per event, the default), a Redis stream (XADD, trimmed to a bound), or an
// agency's own module, loaded at start-up, that exports `createAuditSink(options)`.
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../config/errors.js';
import type { Config } from '../config/load.js';
import type { AuditEvent, AuditSink } from './audit.js';

export function lineSink(write: (line: string) => void): AuditSink {
  return {
    write(event) {
      write(`${JSON.stringify(event)}\n`);
    },
  };
}

export const stdoutSink = (): AuditSink => lineSink((line) => process.stdout.write(line));
export const stderrSink = (): AuditSink => lineSink((line) => process.stderr.write(line));

function isSink(value: unknown): value is AuditSink {
  return typeof value === 'object' && value !== null && typeof (value as AuditSink).write === 'function';
}

async function moduleSink(config: Config, path: string, options: Record<string, unknown>): Promise<AuditSink> {
  const base = config.source.endsWith('.json') ? resolve(config.source, '..') : process.cwd();
  const url = pathToFileURL(isAbsolute(path) ? path : resolve(base, path)).href;
  let mod: { createAuditSink?: unknown };
  try {
    mod = (await import(url)) as { createAuditSink?: unknown };
  } catch (err) {
    throw new ConfigError(config.source, [{ field: 'audit.sink.path', message: `cannot load ${path}: ${(err as Error).message}` }]);
  }
  const sink: unknown = typeof mod.createAuditSink === 'function' ? await (mod.createAuditSink as (o: unknown) => unknown)(options) : undefined;
  if (!isSink(sink)) {
    throw new ConfigError(config.source, [{ field: 'audit.sink.path', message: `${path} must export createAuditSink(options) returning { write(event), close?() }` }]);
  }
  return sink;
}

async function redisSink(config: Config, stream: string, maxLength: number): Promise<AuditSink> {
  if (config.store.type !== 'redis') {
    throw new ConfigError(config.source, [{ field: 'audit.sink', message: 'a Redis stream needs the Redis store (store.type "redis"): it uses the same connection settings' }]);
  }
  // The deployment's Redis settings and credentials, through the one connection factory.
  const { redisConnectionFor } = await import('../storage/index.js');
  const client = redisConnectionFor(config);
  // Connection errors are the store watcher's to report; without a listener ioredis prints them.
  client.on('error', () => undefined);
  return {
    async write(event: AuditEvent) {
      await client.xadd(stream, 'MAXLEN', '~', String(maxLength), '*', 'event', event.event, 'json', JSON.stringify(event));
    },
    async close() {
      await client.quit().catch(() => client.disconnect());
    },
  };
}

export async function createAuditSink(config: Config): Promise<AuditSink> {
  const sink = config.audit.sink;
  if (sink.type === 'redis') return redisSink(config, sink.stream, sink.maxLength);
  if (sink.type === 'module') return moduleSink(config, sink.path, sink.options);
  return stdoutSink();
}
