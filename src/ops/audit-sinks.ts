// The audit sinks the deployment file can choose (`audit.sink`): standard output (one
// JSON line per event, the default), a Redis stream (XADD, trimmed to a bound), or an
// agency's own module, loaded at start-up, that exports `createAuditSink(options)`.
import { ConfigError } from '../config/errors.js';
import type { Config } from '../config/load.js';
import { loadPlugin, type PluginContext } from '../plugins/load.js';
import type { AuditEvent, AuditSink } from './audit.js';
import { silentLogger } from './log.js';

export function lineSink(write: (line: string) => void): AuditSink {
  return {
    write(event) {
      write(`${JSON.stringify(event)}\n`);
    },
  };
}

export const stdoutSink = (): AuditSink => lineSink((line) => process.stdout.write(line));
export const stderrSink = (): AuditSink => lineSink((line) => process.stderr.write(line));

async function redisSink(config: Config, stream: string, maxLength: number): Promise<AuditSink> {
  if (config.store.type !== 'redis') {
    throw new ConfigError(config.source, [{ field: 'audit.sink', message: 'a Redis stream needs the Redis store (store.type "redis"): it uses the same connection settings' }]);
  }
  // The deployment's Redis settings and credentials, through the one connection factory.
  const { redisConnectionFor } = await import('../storage/index.js');
  const { settle } = await import('../storage/redis-client.js');
  const client = redisConnectionFor(config);
  // Connection errors are the store watcher's to report; without a listener ioredis prints them.
  client.on('error', () => undefined);
  // The connection has no offline queue: without this wait, idp.started (written while it
  // still connects) was refused and lost. Later writes fail fast while Redis is away.
  const connected = settle(client, 3000);
  return {
    async write(event: AuditEvent) {
      await connected;
      await client.xadd(stream, 'MAXLEN', '~', String(maxLength), '*', 'event', event.event, 'json', JSON.stringify(event));
    },
    async close() {
      await client.quit().catch(() => client.disconnect());
    },
  };
}

export async function createAuditSink(config: Config, context: PluginContext = { logger: silentLogger, issuer: config.issuer, mode: config.mode }): Promise<AuditSink> {
  const sink = config.audit.sink;
  if (sink.type === 'redis') return redisSink(config, sink.stream, sink.maxLength);
  // An agency's module, checked like the other plug-ins (src/plugins/).
  if (sink.type === 'module') return loadPlugin(config, 'auditSink', sink, context);
  return stdoutSink();
}
