// The IdP as the Docker image runs it: `npm run build` into a directory laid out like the
// image (package.json, dist/, views/), then the compiled entry point, dist/src/main.js, as
// a child process with only the environment it is given.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

export const ROOT = resolve(import.meta.dirname, '../..');
export const run = promisify(execFile);

/** Compiles into `app`/dist and copies what the image holds beside it (`files` from the repository root, then views/). */
export async function buildApp(app: string, files: readonly string[] = ['package.json']): Promise<void> {
  await run('npm', ['run', 'build', '--', '--outDir', join(app, 'dist')], { cwd: ROOT });
  for (const f of files) cpSync(join(ROOT, f), join(app, f));
  cpSync(join(ROOT, 'views'), join(app, 'views'), { recursive: true });
}

export interface BuiltIdp {
  readonly child: ChildProcess;
  /** what it wrote to stdout and stderr so far */
  output: () => string;
}

/** Starts the compiled entry point in `app` with a deployment file and exactly `env` (PATH added). */
export function startBuilt(app: string, configPath: string, env: Record<string, string> = {}): BuiltIdp {
  let output = '';
  const child = spawn(process.execPath, ['dist/src/main.js', '--config', configPath], {
    cwd: app,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output };
}

/** SIGTERM, then SIGKILL after 5 s; resolves when the process has gone. */
export function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return Promise.resolve();
  return new Promise((done) => {
    child.once('exit', () => done());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}
