// Server CPU per op, A against B, on a busy machine: `npm run bench` measures throughput
// in timed rounds, which a machine shared with other work disturbs by ±30%. This runs the
// same op in fixed-size batches, many of them, alternating the targets (A B C, C B A, …),
// and reports low quantiles of each target's CPU per op: another process can only add to
// a batch's CPU time (cache misses, preemption), so the low quantiles are the closest to
// what the code itself costs. Use it to compare a change with the commit before it.
//
// Usage: node --import tsx test/bench/cpu-ab.ts WORKLOAD OPS_PER_BATCH BATCHES NAME=ROOT[=REDIS_URL] …
//   e.g. … cpu-ab.ts "consent on file" 25 14 baseline=. before=../before after=.
// A target named "baseline" is the bare library (test/bench/baseline.ts); any other name
// is ours from that checkout (on Redis when a URL is given). `--profile DIR` writes a V8
// CPU profile per target to DIR/NAME/. Servers are pinned to CPU 0 when taskset exists.
// `--steps` runs the ops one at a time instead and prints each request's server CPU
// (median, less the cost of asking), so a gap between targets shows which requests of
// an op it sits in.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Http } from './http.js';
import type { FromServer } from './server.js';
import { benchJwks, type TargetSpec } from './shared.js';
import { WORKLOADS } from './workloads.js';

const { values: opts, positionals } = parseArgs({ allowPositionals: true, options: { profile: { type: 'string' }, concurrency: { type: 'string' }, steps: { type: 'boolean' } } });
const [workloadName, perBatchArg, batchesArg, ...targetArgs] = positionals;
const workload = WORKLOADS.find((w) => w.name.includes(workloadName ?? '\0'));
if (!workload || !perBatchArg || !batchesArg || !targetArgs.length) {
  throw new Error(`usage: cpu-ab.ts WORKLOAD OPS_PER_BATCH BATCHES NAME=ROOT[=REDIS_URL] … (workloads: ${WORKLOADS.map((w) => w.name).join('; ')})`);
}
const perBatch = Number(perBatchArg);
const batches = Number(batchesArg);
const concurrency = opts.steps ? 1 : Number(opts.concurrency ?? 4);
const pin = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v taskset'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

interface Target {
  name: string;
  child: ChildProcess;
  http: Http;
  states: unknown[];
  cpuMsPerOp: number[];
  ask(): Promise<number>;
}

const jwks = await benchJwks();

async function start(arg: string): Promise<Target> {
  const [name = '', root = '.', ...url] = arg.split('=');
  const redisUrl = url.join('=') || undefined;
  const spec: TargetSpec = { name: name === 'baseline' ? 'baseline' : redisUrl ? 'ours-redis' : 'ours', jwks, accounts: perBatch * (batches + 4) * concurrency + 200, ...(redisUrl ? { redisUrl } : {}) };
  const node = [process.execPath, ...(opts.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(opts.profile, name)}`] : []), '--import', 'tsx', join(root, 'test', 'bench', 'server.ts')];
  const [command, ...args] = pin ? ['taskset', '-c', '0', ...node] : node;
  const child = spawn(command ?? process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'inherit', 'ipc'], env: { ...process.env, BENCH_TARGET: JSON.stringify(spec) } });
  const first = await new Promise<FromServer>((resolve) => child.once('message', (m: FromServer) => resolve(m)));
  if (first.type !== 'ready') throw new Error(`${name}: ${first.type === 'failed' ? first.message : first.type}`);
  const waiting: ((m: FromServer) => void)[] = [];
  child.on('message', (m: FromServer) => waiting.shift()?.(m));
  const ask = () =>
    new Promise<number>((resolve) => {
      waiting.push((m) => resolve(m.type === 'usage' ? m.cpuMicros : NaN));
      child.send({ type: 'usage' });
    });
  const http = new Http(first.url, concurrency);
  const states: unknown[] = [];
  for (let i = 0; i < concurrency; i++) states.push(await workload!.setup(http));
  return { name, child, http, states, cpuMsPerOp: [], ask };
}

async function batch(t: Target): Promise<number> {
  let left = perBatch;
  const before = await t.ask();
  await Promise.all(
    t.states.map(async (_s, i) => {
      while (left-- > 0) await workload!.op(t.http, t.states[i]);
    }),
  );
  return ((await t.ask()) - before) / 1000 / perBatch;
}

const targets: Target[] = [];
for (const arg of targetArgs) targets.push(await start(arg));
if (opts.steps) {
  await printSteps();
  process.exit(0);
}
for (const t of targets) for (let i = 0; i < 2; i++) await batch(t); // warm-up
for (let b = 0; b < batches; b++) for (const t of b % 2 ? [...targets].reverse() : targets) t.cpuMsPerOp.push(await batch(t));

const quantile = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.floor(q * (values.length - 1))] ?? NaN;
const first = targets[0] as Target;
process.stdout.write(`${workload.name}: server CPU ms per op, ${batches} batches of ${perBatch} ops per target, ${concurrency} in flight${pin ? ', servers pinned to CPU 0' : ''}\n`);
for (const t of targets) {
  const [min, q10, q25, med] = [0, 0.1, 0.25, 0.5].map((q) => quantile(t.cpuMsPerOp, q)) as [number, number, number, number];
  const vs = t === first ? '' : `   ${first.name}÷this: q10 ${(quantile(first.cpuMsPerOp, 0.1) / q10).toFixed(3)}×, q25 ${(quantile(first.cpuMsPerOp, 0.25) / q25).toFixed(3)}×`;
  process.stdout.write(`  ${t.name.padEnd(12)} min ${min.toFixed(3)}  q10 ${q10.toFixed(3)}  q25 ${q25.toFixed(3)}  median ${med.toFixed(3)}${vs}\n`);
}
for (const t of targets) {
  t.http.close();
  t.child.send({ type: 'stop' });
}

/** A request of an op by its method and path, ids left out. */
function stepOf(method: string, path: string): string {
  return `${method} ${(path.split('?')[0] ?? '').replace(/\/(interaction|authorize)\/[^/]+/, '/$1/:uid')}`;
}

/** --steps: each request's server CPU, one op at a time, per target. */
async function printSteps(): Promise<void> {
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
  const columns: Map<string, number>[] = [];
  for (const t of targets) {
    const state = t.states[0];
    for (let i = 0; i < 2 * perBatch; i++) await workload!.op(t.http, state); // warm-up
    // What asking costs the server: two usage queries with nothing in between.
    const idle: number[] = [];
    for (let i = 0; i < 50; i++) idle.push(-(await t.ask()) + (await t.ask()));
    const asking = median(idle);
    const spent = new Map<string, number[]>();
    // A request an op makes twice (the new-consent flow resumes twice) is counted as two steps.
    let seen = new Map<string, number>();
    const request = t.http.request.bind(t.http);
    t.http.request = async (method, path, options) => {
      const before = await t.ask();
      const reply = await request(method, path, options);
      const cpu = (await t.ask()) - before - asking;
      const name = stepOf(method, path);
      const nth = (seen.get(name) ?? 0) + 1;
      seen.set(name, nth);
      const step = nth > 1 ? `${name} (${nth})` : name;
      const cpus = spent.get(step) ?? [];
      cpus.push(cpu);
      spent.set(step, cpus);
      return reply;
    };
    for (let i = 0; i < perBatch * batches; i++) {
      seen = new Map();
      await workload!.op(t.http, state);
    }
    columns.push(new Map([...spent].map(([step, cpu]) => [step, median(cpu) / 1000])));
    t.http.close();
    t.child.send({ type: 'stop' });
  }
  const steps = [...new Set(columns.flatMap((c) => [...c.keys()]))];
  const cell = (ms: number | undefined) => (ms ?? NaN).toFixed(3).padStart(12);
  process.stdout.write(`${workload!.name}: server CPU ms per request (median of ${perBatch * batches} ops, one at a time)\n`);
  process.stdout.write(`  ${'request'.padEnd(34)}${targets.map((t) => t.name.padStart(12)).join('')}\n`);
  for (const step of steps) process.stdout.write(`  ${step.padEnd(34)}${columns.map((c) => cell(c.get(step))).join('')}\n`);
  process.stdout.write(`  ${'sum'.padEnd(34)}${columns.map((c) => cell([...c.values()].reduce((a, b) => a + b, 0))).join('')}\n`);
}
