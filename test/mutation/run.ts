// npm run mutation [-- area ...]: StrykerJS over one area at a time (test/mutation/<area>.conf.json),
// then a score per area, with every survivor either listed in equivalent.md or shown here.
// Slow by nature (the area's tests run once per mutant): run on demand, never in CI.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const AREAS = ['policy', 'storage', 'signin'] as const;
const TARGET = 85;

interface Mutant {
  mutatorName: string;
  replacement?: string;
  status: string;
  location: { start: { line: number; column: number }; end: { line: number; column: number } };
}
interface Report {
  files: Record<string, { source: string; mutants: Mutant[] }>;
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

function isListed(list: readonly Equivalent[], file: string, mutant: Mutant, source: string): boolean {
  const d = describe(mutant, source);
  return list.some((e) => e.file === file && e.mutator === mutant.mutatorName && e.original === d.original && e.replacement === d.replacement && d.line.includes(e.context));
}

function summarise(area: string): boolean {
  const path = `reports/mutation/${area}.json`;
  const report = JSON.parse(readFileSync(path, 'utf8')) as Report;
  const known = equivalents();
  let killed = 0;
  let survived = 0;
  let equivalent = 0;
  const unexplained: string[] = [];
  for (const [file, { source, mutants }] of Object.entries(report.files)) {
    for (const m of mutants) {
      if (m.status === 'Killed' || m.status === 'Timeout') killed += 1;
      else if (m.status === 'Survived' || m.status === 'NoCoverage') {
        survived += 1;
        if (isListed(known, file, m, source)) equivalent += 1;
        else {
          const d = describe(m, source);
          unexplained.push(`${file}:${m.location.start.line} ${m.mutatorName} | ${d.original} | ${d.replacement} | on: ${d.line}`);
        }
      }
    }
  }
  const score = (100 * killed) / (killed + survived);
  const net = (100 * killed) / (killed + survived - equivalent);
  console.log(`\n${area}: ${score.toFixed(1)} % of ${killed + survived} mutants killed; ${net.toFixed(1)} % not counting ${equivalent} listed equivalents (target ${TARGET} %)`);
  if (unexplained.length) {
    console.log(`  ${unexplained.length} survivor(s) neither killed nor listed in test/mutation/equivalent.md:`);
    for (const u of unexplained) console.log(`    ${u}`);
  }
  return net >= TARGET && unexplained.length === 0;
}

const asked = process.argv.slice(2);
const unknown = asked.filter((a) => !(AREAS as readonly string[]).includes(a));
if (unknown.length) {
  console.error(`unknown area ${unknown.join(', ')}; the areas are ${AREAS.join(', ')}`);
  process.exit(2);
}
const summaryOnly = process.env.MUTATION_SUMMARY_ONLY === '1';
let ok = true;
for (const area of asked.length ? asked : AREAS) {
  if (!summaryOnly) {
    const run = spawnSync('npx', ['stryker', 'run', `test/mutation/${area}.conf.json`], { stdio: 'inherit' });
    if (run.status !== 0) {
      console.error(`stryker failed for ${area} (exit ${String(run.status)})`);
      ok = false;
      continue;
    }
  }
  ok = summarise(area) && ok;
}
process.exit(ok ? 0 : 1);
