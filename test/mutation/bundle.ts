// The build step of a mutation run (each area conf's `buildCommand`, run inside Stryker's
// sandbox on the mutated code): bundles the area's test files into a few groups, one
// .mutation-build/<group>.test.js each, for Stryker's tap runner to start per mutant. A group
// is one process start (the bundle needs no tsx) and stops at its first failing test; with
// per-test coverage a mutant runs only the groups that reach it. Quick, pointed tests form
// their own group, so most mutants are killed without starting the slow start-up checks.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';

/** Per area, the groups and the test files in each (a `*` matches within one folder). */
export const GROUPS: Record<string, Record<string, readonly string[]>> = {
  policy: {
    'policy-unit': ['test/unit/policy-*.test.ts', 'test/unit/smart-policy.test.ts', 'test/unit/rule-annotations.test.ts', 'test/unit/claims-parameter.test.ts'],
    'policy-startup': ['test/unit/startup-checks/*.test.ts', 'test/unit/deployment-edges.test.ts', 'test/unit/scope-claims.test.ts'],
  },
  storage: {
    seal: ['test/unit/seal.test.ts'],
    'memory-store': ['test/unit/memory-store.test.ts', 'test/unit/memory-store-lifecycle.test.ts'],
    'sealed-store': ['test/unit/sealed-store.test.ts'],
  },
  signin: {
    'login-throttle': ['test/unit/login-throttle.test.ts'],
    form: ['test/unit/form.test.ts'],
  },
};

/** The files a pattern names, sorted (Node 20 has no fs.glob). */
export function expand(pattern: string): string[] {
  if (!pattern.includes('*')) return [pattern];
  const [before, after] = basename(pattern).split('*') as [string, string];
  return readdirSync(dirname(pattern))
    .filter((f) => f.startsWith(before) && f.endsWith(after))
    .sort()
    .map((f) => join(dirname(pattern), f));
}

/**
 * The test files named for the code a run mutates come first in their group (run.ts passes
 * `--mutate` on as MUTATION_FOCUS): a group stops at its first failing test, so a mutant of
 * clients.ts dies in policy-clients.test.ts before the other files of its group start.
 */
export function focusFirst(files: readonly string[], focus: string | undefined): string[] {
  const stems = (focus ?? '').split(',').map((f) => basename(f.replace(/:.*$/, ''), '.ts')).filter((s) => s && !s.includes('*'));
  const named = (file: string) => stems.some((stem) => basename(file, '.test.ts').replace(/^policy-/, '') === stem);
  return [...files.filter(named), ...files.filter((f) => !named(f))];
}

function bundle(area: string): void {
  const groups = GROUPS[area];
  if (!groups) throw new Error(`unknown area ${area}; the areas are ${Object.keys(GROUPS).join(', ')}`);
  rmSync('.mutation-build', { recursive: true, force: true });
  mkdirSync('.mutation-build');
  for (const [group, patterns] of Object.entries(groups)) {
    const entry = focusFirst(patterns.flatMap(expand), process.env.MUTATION_FOCUS).map((f) => `import './${f}';`).join('\n');
    const out = spawnSync('npx', ['esbuild', '--bundle', '--platform=node', '--format=esm', '--packages=external', '--sourcefile=group.ts', '--loader=ts', `--outfile=.mutation-build/${group}.test.js`, '--log-level=warning'], { input: entry, stdio: ['pipe', 'inherit', 'inherit'] });
    if (out.status !== 0) process.exit(out.status ?? 1);
  }
}

if (process.argv[1]?.endsWith('bundle.ts')) bundle(process.argv[2] ?? '');
