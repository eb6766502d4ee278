// An agency's modules for the plug-in tests (src/plugins/): a directory of plain .js files
// as an agency mounts one, and an account module in plain JavaScript.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ModuleDir {
  readonly dir: string;
  /** writes a module into the directory; returns its name, for a path relative to it */
  module: (name: string, source: string) => string;
}

/**
 * A directory of modules (a fresh temporary one unless named): its package.json says the
 * .js files are ES modules, as an agency's would; a .cjs file stays CommonJS.
 */
export function moduleDir(dir: string = mkdtempSync(join(tmpdir(), 'idp-plugins-'))): ModuleDir {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  return {
    dir,
    module: (name, source) => {
      writeFileSync(join(dir, name), source);
      return name;
    },
  };
}

export interface ModulePerson {
  id: string;
  password: string;
  claims: Record<string, unknown>;
}

/**
 * An account module (plugins.accounts) over a fixed list of people, by username. With
 * `logReady`, it logs through the context's logger that it is ready, naming its options.
 */
export function accountModuleSource(people: Record<string, ModulePerson>, options: { logReady?: boolean } = {}): string {
  const ready = options.logReady ? "\n  context.logger.log('info', 'agency.accounts.ready', { directory: options.directory });" : '';
  return `// An agency's directory, in plain JavaScript.
const people = new Map(Object.entries(${JSON.stringify(people)}));
export function createAccountStore(options, context) {${ready}
  return {
    async authenticate(username, password) {
      const person = people.get(username);
      return person && person.password === password ? person.id : undefined;
    },
    async find(id) {
      const person = [...people.values()].find((p) => p.id === id);
      return person ? { id: person.id, claims: person.claims } : undefined;
    },
  };
}
`;
}
