// Redis's own count of what one op costs (issue 13 item 7): commands and round trips per
// op, read from `INFO stats` and `INFO commandstats` around a pass of ops run one at a
// time. These figures do not depend on the machine: they change only when the code does.
//
// - commands: every command Redis ran (commandstats), those run by Lua scripts included
//   (Redis 7 counts a script's own calls too, so an EVALSHA shows as itself plus its calls);
// - round trips: read events on the server (total_reads_processed). With one op in flight
//   each request the IdP waits for arrives in its own read, and a pipeline or MULTI/EXEC
//   block sent at once arrives in one, so reads are the round trips an op waits for.
// The INFO calls themselves are taken out.
import { Redis } from 'ioredis';
import type { Http } from './http.js';
import type { Workload } from './workloads.js';

interface Snapshot {
  reads: number;
  byCommand: Map<string, number>;
}

export interface RedisPerOp {
  ops: number;
  roundTrips: number;
  commands: number;
  /** commands per op by name, most frequent first */
  byCommand: Record<string, number>;
}

async function snapshot(redis: Redis): Promise<Snapshot> {
  const text = await redis.info('everything');
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  const byCommand = new Map<string, number>();
  for (const [, name, calls] of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) if (name) byCommand.set(name, Number(calls));
  return { reads: field('total_reads_processed'), byCommand };
}

/** Run `workload` one op at a time on `http` (at most `maxOps`, at most `maxMs`) and divide Redis's counts by the ops. */
export async function redisPerOp<S>(redisUrl: string, http: Http, workload: Workload<S>, maxOps = 200, maxMs = 3000): Promise<RedisPerOp> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    const state = await workload.setup(http);
    const before = await snapshot(redis);
    const deadline = performance.now() + maxMs;
    let ops = 0;
    while (ops < maxOps && (ops < 10 || performance.now() < deadline)) {
      await workload.op(http, state);
      ops += 1;
    }
    const after = await snapshot(redis);
    const infoCalls = (after.byCommand.get('info') ?? 0) - (before.byCommand.get('info') ?? 0);
    const perOp = (n: number) => Math.round((n / ops) * 100) / 100;
    const byCommand: Record<string, number> = {};
    let commands = 0;
    const deltas = [...after.byCommand].map(([name, calls]) => [name, calls - (before.byCommand.get(name) ?? 0)] as const);
    for (const [name, delta] of deltas.sort((a, b) => b[1] - a[1])) {
      if (name === 'info' || delta <= 0) continue;
      commands += delta;
      byCommand[name] = perOp(delta);
    }
    return {
      ops,
      roundTrips: perOp(Math.max(0, after.reads - before.reads - infoCalls)),
      commands: perOp(commands),
      byCommand,
    };
  } finally {
    redis.disconnect();
  }
}
