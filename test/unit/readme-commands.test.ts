// The front door's two commands are the ones that work: `npm ci && npm start` starts the
// IdP (package.json's start script), and the README's test command is the one CI runs
// (.ci/run), so "it passes on my machine" means what CI means.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';

const read = (path: string) => readFileSync(path, 'utf8');

/** The first fenced `sh` block after a `## heading` in the README. */
function commandUnder(readme: string, heading: string): string {
  const at = readme.indexOf(`\n## ${heading}\n`);
  assert.ok(at >= 0, `README.md has a "## ${heading}" section`);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at))?.[1];
  assert.ok(block, `README.md's "${heading}" section shows its command in a sh block`);
  return block.trim();
}

it('the README\'s "Try it" command installs and starts the IdP', () => {
  assert.equal(commandUnder(read('README.md'), 'Try it'), 'npm ci && npm start');
  const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
  assert.ok(pkg.scripts.start, 'package.json has a start script');
});

it('the README\'s "Test it" command is what .ci/run runs, after typecheck and lint', () => {
  const command = commandUnder(read('README.md'), 'Test it');
  const ci = read('.ci/run').split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
  assert.equal(ci.at(-1), command, '.ci/run ends with the README\'s test command');
  assert.ok(ci.includes('export CI=true'), '.ci/run runs it with CI=true (a missing program fails)');
  for (const step of ['npm run typecheck', 'npm run lint']) assert.ok(ci.indexOf(step) >= 0 && ci.indexOf(step) < ci.length - 1, `.ci/run runs ${step} first`);
});
