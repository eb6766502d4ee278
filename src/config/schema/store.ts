// Where sessions, tokens and consents are kept: memory or Redis (config/guides/redis.md).
import { z } from 'zod';
import { secret } from '../secret.js';
import { hostPort } from './common.js';

export const store = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('memory').describe('`memory`: one process only; everything is gone at restart. `redis`: shared by replicas.'),
      maxEntries: z.number().int().positive().optional().meta({
        description: 'Memory store: live records it holds; beyond it new writes answer 503 `temporarily_unavailable` and `/readyz` says the store is full. About 3 KiB of heap per record (config/guides/redis.md: The memory store and its bound).',
        defaultText: '`1000000`',
      }),
      singleInstance: z
        .boolean()
        .optional()
        .describe('Memory store (or a `plugins.store` backend) in production mode: declares that one IdP process serves everyone and that losing what stays in the process at restart is accepted (with the memory store every session, token and consent; with a backend module the consent ledger and sign-in counts). Production refuses either without it; the compliance report notes it.'),
    }),
    z.strictObject({
      type: z.literal('redis').describe('`memory`: one process only; everything is gone at restart. `redis`: shared by replicas.'),
      url: z.string().optional().describe('`redis://` or `rediss://` URL of a standalone Redis (it may carry its own user and password).'),
      keyPrefix: z.string().default('idp:').describe('Prefix of every key the IdP writes.'),
      sentinels: z.array(hostPort).optional().describe('Redis Sentinel: the Sentinels to ask for the master (with `name`).'),
      name: z.string().optional().describe('Redis Sentinel: the master\'s name.'),
      cluster: z.array(hostPort).optional().describe('Redis Cluster: the seed nodes.'),
      username: z.string().min(1).optional().describe('Redis ACL user, for every node of a Cluster and the Sentinel master.'),
      password: secret.optional().describe('Redis ACL password (a secret), for every node of a Cluster and the Sentinel master.'),
      sentinelPassword: secret.optional().describe('The Sentinels\' own password (a secret), when they have one.'),
      tls: z.boolean().optional().describe('TLS to Cluster nodes, Sentinels and the master (a `rediss://` URL does it for standalone).'),
      waitForReplicas: z
        .union([
          z.literal(false),
          z.strictObject({
            replicas: z.number().int().positive().describe('Replicas that must have each single-use write.'),
            timeoutMs: z.number().int().positive().max(1400).default(1000).describe('Milliseconds to wait (at most 1400).'),
          }),
        ])
        .optional()
        .meta({
          description:
            'After single-use writes (codes, refresh tokens, PAR request URIs, initial access tokens, CIBA requests, DPoP/assertion `jti`) and consent-ledger appends, Redis `WAIT` for replicas; not confirmed in time: 503 `temporarily_unavailable`. `false`: never wait. config/guides/redis.md: Single use across a failover.',
          defaultText: 'one replica where the master has any',
        }),
    }),
  ])
  .describe('`memory` (one process only) or `redis` (`url`, or `sentinels` + `name`, or `cluster` nodes). `REDIS_URL` makes it `redis`.');
