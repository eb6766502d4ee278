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

/** What a survivor is known by in equivalent.md: file, mutator, original and replacement (not the line, which moves). */
function keyOf(file: string, mutant: Mutant, source: string): string {
  const lines = source.split('\n');
  const { start, end } = mutant.location;
  const text = start.line === end.line
    ? (lines[start.line - 1] ?? '').slice(start.column - 1, end.column - 1)
    : [(lines[start.line - 1] ?? '').slice(start.column - 1), ...lines.slice(start.line, end.line - 1), (lines[end.line - 1] ?? '').slice(0, end.column - 1)].join('\n');
  return [file, mutant.mutatorName, squash(text), squash(mutant.replacement ?? '')].join(' | ');
}
const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

/** equivalent.md table rows: | file | mutator | original | replacement | why | (pipes in code escaped as \|). */
function equivalents(): Map<string, string> {
  const out = new Map<string, string>();
  const path = 'test/mutation/equivalent.md';
  if (!existsSync(path)) return out;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.startsWith('| src/')) continue;
    const cells = line.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|').replace(/^`|`$/g, ''));
    const [file, mutator, original, replacement, why] = cells;
    if (file && mutator && original !== undefined && replacement !== undefined) out.set([file, mutator, squash(original), squash(replacement)].join(' | '), why ?? '');
  }
  return out;
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
        const key = keyOf(file, m, source);
        if (known.has(key)) equivalent += 1;
        else unexplained.push(`${file}:${m.location.start.line} ${key.split(' | ').slice(1).join(' | ')}`);
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
