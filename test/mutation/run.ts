// npm run mutation [-- area ...] [--mutate <file[:lines]>,...] [--concurrency N] [--summary | --merge]
// StrykerJS over one area at a time (test/mutation/<area>.conf.json, the tap runner with
// per-test-file coverage, so a mutant runs only the test files that reach it), then a score
// per area from the latest result of every file, with every survivor either listed in
// equivalent.md or shown here. Slow by nature: run on demand, never in CI.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const AREAS = ['policy', 'storage', 'signin'] as const;
const TARGET = 85;

interface Mutant {
  mutatorName: string;
  replacement?: string;
  status: string;
  location: { start: { line: number; column: number }; end: { line: number; column: number } };
}
interface FileResult {
  source: string;
  mutants: Mutant[];
}
interface Report {
  files: Record<string, FileResult>;
}
/** The area's latest result per file: a run of a few files (or lines) updates only those. */
interface Latest {
  files: Record<string, FileResult & { ranAt: string }>;
}

/** A survivor's original code, replacement and source line. */
function describe(mutant: Mutant, source: string): { original: string; replacement: string; line: string } {
  const lines = source.split('\n');
  const { start, end } = mutant.location;
  const first = lines[start.line - 1] ?? '';
  const original = start.line === end.line
    ? first.slice(start.column - 1, end.column - 1)
    : [first.slice(start.column - 1), ...lines.slice(start.line, end.line - 1), (lines[end.line - 1] ?? '').slice(0, end.column - 1)].join('\n');
  return { original: squash(original), replacement: squash(mutant.replacement ?? ''), line: squash(first) };
}
const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

interface Equivalent {
  file: string;
  mutator: string;
  original: string;
  replacement: string;
  /** text the mutant's (first) source line contains, to tell apart two equal snippets */
  context: string;
}

/** equivalent.md table rows: | file | mutator | original | replacement | on the line | why | (a pipe in code written \|). */
function equivalents(): Equivalent[] {
  const path = 'test/mutation/equivalent.md';
  if (!existsSync(path)) return [];
  const out: Equivalent[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.startsWith('| src/')) continue;
    const cells = line.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|').replace(/^`|`$/g, ''));
    const [file, mutator, original, replacement, context] = cells;
    if (file && mutator && original !== undefined && replacement !== undefined && context !== undefined) {
      out.push({ file, mutator, original: squash(original), replacement: squash(replacement), context: squash(context) });
    }
  }
  return out;
}

/** equivalent.md, read once; the rows some survivor matched in this summary (a row none matches is stale). */
const KNOWN = equivalents();
const matchedRows = new Set<Equivalent>();

function isListed(list: readonly Equivalent[], file: string, mutant: Mutant, source: string): boolean {
  const d = describe(mutant, source);
  const row = list.find((e) => e.file === file && e.mutator === mutant.mutatorName && e.original === d.original && e.replacement === d.replacement && d.line.includes(e.context));
  if (row) matchedRows.add(row);
  return row !== undefined;
}

const mutantKey = (m: Mutant) =>
  `${m.mutatorName}@${m.location.start.line}:${m.location.start.column}-${m.location.end.line}:${m.location.end.column}=${m.replacement ?? ''}`;

const latestPath = (area: string) => `reports/mutation/${area}.latest.json`;
const runPath = (area: string) => `reports/mutation/${area}.json`;

function readLatest(area: string): Latest {
  return existsSync(latestPath(area)) ? (JSON.parse(readFileSync(latestPath(area), 'utf8')) as Latest) : { files: {} };
}

/**
 * Fold one Stryker run into the area's latest results. Same source: the run's mutants replace
 * their earlier results one by one (a run of a few lines keeps the rest of the file). Changed
 * source: the earlier results describe code that is gone, so the run's replace them all.
 */
function merge(area: string, mutated: string | undefined): void {
  const run = JSON.parse(readFileSync(runPath(area), 'utf8')) as Report;
  // Stryker leaves out a file it found nothing to mutate in (types only): it ran, with no mutants.
  for (const file of (mutated ?? '').split(',')) {
    if (file && !/[*:!]/.test(file) && existsSync(file) && !run.files[file]) run.files[file] = { source: readFileSync(file, 'utf8'), mutants: [] };
  }
  const latest = readLatest(area);
  const ranAt = new Date().toISOString();
  for (const [file, result] of Object.entries(run.files)) {
    const before = latest.files[file];
    const byKey = new Map<string, Mutant>();
    if (before && before.source === result.source) for (const m of before.mutants) byKey.set(mutantKey(m), m);
    for (const m of result.mutants) byKey.set(mutantKey(m), m);
    latest.files[file] = { source: result.source, mutants: [...byKey.values()], ranAt };
  }
  mkdirSync(dirname(latestPath(area)), { recursive: true });
  writeFileSync(latestPath(area), JSON.stringify(latest));
}

/** The files an area mutates today (its conf's `mutate`: paths, `dir/**\/*.ts`, `!path` to leave one out). */
function areaFiles(area: string): string[] {
  const conf = JSON.parse(readFileSync(`test/mutation/${area}.conf.json`, 'utf8')) as { mutate: string[] };
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
  const excluded = new Set(conf.mutate.filter((p) => p.startsWith('!')).map((p) => p.slice(1)));
  return conf.mutate
    .filter((p) => !p.startsWith('!'))
    .flatMap((p) => (p.endsWith('/**/*.ts') ? walk(p.slice(0, -'/**/*.ts'.length)) : [p]))
    .filter((f) => !excluded.has(f))
    .sort();
}

function summarise(area: string): boolean {
  const latest = readLatest(area);
  let killed = 0;
  let timeouts = 0;
  let survived = 0;
  let equivalent = 0;
  const unexplained: string[] = [];
  const missing: string[] = [];
  const stale: string[] = [];
  const perFile: string[] = [];
  for (const file of areaFiles(area)) {
    const result = latest.files[file];
    if (!result) {
      missing.push(file);
      continue;
    }
    if (existsSync(file) && readFileSync(file, 'utf8') !== result.source) stale.push(file);
    let fileKilled = 0;
    let fileSurvived = 0;
    for (const m of result.mutants) {
      if (m.status === 'Timeout' && isListed(KNOWN, file, m, result.source)) {
        // A mutant reasoned equivalent that timed out was slow, not caught (a loaded machine).
        fileSurvived += 1;
        equivalent += 1;
      } else if (m.status === 'Killed' || m.status === 'Timeout') {
        fileKilled += 1;
        if (m.status === 'Timeout') timeouts += 1;
      } else if (m.status === 'Survived' || m.status === 'NoCoverage') {
        fileSurvived += 1;
        if (isListed(KNOWN, file, m, result.source)) equivalent += 1;
        else {
          const d = describe(m, result.source);
          unexplained.push(`${file}:${m.location.start.line} ${m.mutatorName} | ${d.original} | ${d.replacement} | on: ${d.line}`);
        }
      }
    }
    killed += fileKilled;
    survived += fileSurvived;
    const total = fileKilled + fileSurvived;
    perFile.push(`    ${file}: ${total ? ((100 * fileKilled) / total).toFixed(1) : '-'} % of ${total} (${result.ranAt.slice(0, 16)}Z)`);
  }
  const total = killed + survived;
  const score = total ? (100 * killed) / total : 0;
  const net = total - equivalent ? (100 * killed) / (total - equivalent) : 0;
  const floor = total - equivalent ? (100 * (killed - timeouts)) / (total - equivalent) : 0;
  console.log(`\n${area}: ${score.toFixed(1)} % of ${total} mutants killed (${timeouts} by timeout); ${net.toFixed(1)} % not counting ${equivalent} listed equivalents (target ${TARGET} %); ${floor.toFixed(1)} % if every timeout had survived`);
  for (const line of perFile) console.log(line);
  if (missing.length) console.log(`  not run yet (not in the score): ${missing.join(', ')}`);
  if (stale.length) console.log(`  changed since their last run (re-run them): ${stale.join(', ')}`);
  if (unexplained.length) {
    console.log(`  ${unexplained.length} survivor(s) neither killed nor listed in test/mutation/equivalent.md:`);
    for (const u of unexplained) console.log(`    ${u}`);
  }
  return net >= TARGET && unexplained.length === 0 && missing.length === 0 && stale.length === 0;
}

const args = process.argv.slice(2);
const summaryOnly = process.env.MUTATION_SUMMARY_ONLY === '1' || args.includes('--summary') || args.includes('--merge');
// --merge: fold reports/mutation/<area>.json of a run made by hand (npx stryker run …) in first.
const mergeOnly = args.includes('--merge');
// Bare words are areas; the rest goes to Stryker (--mutate a.ts,b.ts:10-20, --concurrency 1).
const takesValue = (flag: string | undefined) => flag !== undefined && flag.startsWith('--') && flag !== '--summary' && flag !== '--merge';
const asked = args.filter((a, i) => !a.startsWith('--') && !takesValue(args[i - 1]));
const forwarded = args.filter((a) => a !== '--summary' && a !== '--merge' && !asked.includes(a));
const unknown = asked.filter((a) => !(AREAS as readonly string[]).includes(a));
if (unknown.length) {
  console.error(`unknown area ${unknown.join(', ')}; the areas are ${AREAS.join(', ')}`);
  process.exit(2);
}
if (forwarded.includes('--mutate') && asked.length !== 1) {
  console.error('--mutate needs exactly one area, e.g. npm run mutation -- policy --mutate src/policy/clients.ts');
  process.exit(2);
}
let ok = true;
for (const area of asked.length ? asked : AREAS) {
  if (mergeOnly && existsSync(runPath(area))) merge(area, undefined);
  if (!summaryOnly) {
    rmSync(runPath(area), { force: true });
    const focus = forwarded[forwarded.indexOf('--mutate') + 1];
    const env = { ...process.env, ...(forwarded.includes('--mutate') && focus ? { MUTATION_FOCUS: focus } : {}) };
    const run = spawnSync('npx', ['stryker', 'run', `test/mutation/${area}.conf.json`, ...forwarded], { stdio: 'inherit', env });
    if (run.status !== 0 || !existsSync(runPath(area))) {
      console.error(`stryker failed for ${area} (exit ${String(run.status)}); its earlier results are kept`);
      ok = false;
      continue;
    }
    merge(area, env.MUTATION_FOCUS ?? areaFiles(area).join(','));
  }
  ok = summarise(area) && ok;
}
// Every area summarised with all its files current: a row no survivor matched describes code
// that changed or a mutant a test now kills, and the committed list must not keep it.
if (!asked.length && ok) {
  const unused = KNOWN.filter((e) => !matchedRows.has(e));
  if (unused.length) {
    console.log(`\n${unused.length} row(s) of test/mutation/equivalent.md match no survivor (remove them):`);
    for (const e of unused) console.log(`    ${e.file} ${e.mutator} | ${e.original} | ${e.replacement} | on: ${e.context}`);
    ok = false;
  }
}
process.exit(ok ? 0 : 1);
