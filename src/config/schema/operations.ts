// Operations: the management listener for /metrics, /healthz and /readyz (config/guides/operations.md).
import { z } from 'zod';
import { seconds } from './common.js';

export const management = z.strictObject({
  host: z.string().min(1).default('127.0.0.1').describe('Where the management listener binds. Keep it off the public interface.'),
  port: z.number().int().min(0).max(65535).describe('Its port; `0` picks a free port.'),
});

// Operations: where audit events go (config/guides/operations.md, the audit catalogue).
export const audit = z.strictObject({
  sink: z
    .discriminatedUnion('type', [
      z.strictObject({ type: z.literal('stdout').describe('JSON lines among the logs.') }),
      z.strictObject({
        type: z.literal('redis').describe('XADD to a stream over the Redis store\'s connection settings (needs the Redis store).'),
        stream: z.string().min(1).default('idp:audit').describe('The stream key.'),
        maxLength: z.number().int().positive().default(1_000_000).describe('Trimmed to about this many events.'),
      }),
      z.strictObject({
        type: z.literal('module').describe('An agency\'s module exporting `createAuditSink(options)` returning `{ write(event), close?() }`.'),
        path: z.string().min(1).describe('The module\'s path, relative to the deployment file or absolute (e.g. `/etc/idp/plugins/audit.js` in the Docker image).'),
        options: z.record(z.string(), z.unknown()).default({}).describe('Passed to `createAuditSink` as `options`.'),
      }),
    ])
    .default({ type: 'stdout' })
    .describe('Where audit events go: `stdout`, a Redis stream, or an agency\'s module. Catalogue: config/guides/operations.md.'),
});

// Operations: request limits and how SIGTERM stops the process.
export const limits = z
  .strictObject({
    stateCreating: z
      .strictObject({
        requests: z.number().int().positive().default(600).describe('Requests per client address in `window`.'),
        window: seconds.default(60).describe('Seconds.'),
      })
      .prefault({})
      .describe('Requests per client address (as a trusted proxy states it, see `proxy`) to `/authorize`, `/par` and `/logout` together in `window` seconds; past it `429` with `Retry-After`. Counted in Redis on the Redis store (every replica together), else per process.'),
  })
  .prefault({})
  .describe('Request limits.');

export const shutdown = z
  .strictObject({
    drain: z.number().int().min(0).default(5).describe('Seconds after `SIGTERM` during which `/readyz` answers 503 while requests are still served (with `Connection: close`); then new connections are refused. `SIGINT` skips it.'),
    deadline: seconds.default(30).describe('Seconds after `SIGTERM` at which connections still open are closed by force. The process exits earlier, as soon as the last request is answered.'),
  })
  .prefault({})
  .describe('SIGTERM: drain, then stop (config/guides/redis.md: Shutting down).');
