// Start the real IdP on a free loopback port with a test deployment file.
import { createServer } from 'node:net';
import { loadConfig, resolveConfig, type Config } from '../../src/config/load.js';
import { configSchema, type RawConfig } from '../../src/config/schema.js';
import type { AuditSink } from '../../src/ops/audit.js';
import { createIdp, type Idp, type IdpOptions } from '../../src/server.js';
import { TEST_ACCOUNTS, TEST_SCOPES, TEST_APIS } from './fixtures.js';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export interface RunningIdp {
  url: string;
  idp: Idp;
  config: Config;
  close(): Promise<void>;
}

/** A development-mode deployment with test accounts, scopes and APIs; patch what a test needs. */
export function testRawConfig(issuer: string, patch: Partial<RawConfig> = {}): RawConfig {
  return {
    mode: 'development',
    issuer,
    scopes: TEST_SCOPES,
    resourceServers: TEST_APIS,
    accounts: TEST_ACCOUNTS,
    ...patch,
  };
}

export function configFrom(raw: RawConfig, env: NodeJS.ProcessEnv = {}): Config {
  return resolveConfig(configSchema.parse(raw), 'test-config', process.cwd(), env);
}

/** Tests keep audit events off their output unless they pass a sink to look at. */
const discard: AuditSink = { write: () => undefined };

export async function startIdp(patch: Partial<RawConfig> = {}, options: IdpOptions = {}, scheme: 'http' | 'https' = 'http', env: NodeJS.ProcessEnv = {}): Promise<RunningIdp> {
  const port = await freePort();
  const url = `${scheme}://127.0.0.1:${port}`;
  const config = configFrom(testRawConfig(url, { port, ...patch }), env);
  const idp = await createIdp(config, { auditSink: discard, ...options });
  await idp.listen(port, '127.0.0.1');
  return { url, idp, config, close: async () => void (await idp.close()) };
}

/** `npm start`'s own file (config/development.json) as `PORT=… npm start` reads it: the issuer and the demo FHIR API move to a free port. */
export async function startDevelopmentFile(options: IdpOptions = {}): Promise<RunningIdp> {
  const port = await freePort();
  const config = loadConfig('config/development.json', { env: { PORT: String(port) } });
  const idp = await createIdp(config, { auditSink: discard, ...options });
  await idp.listen(port, '127.0.0.1');
  return { url: config.issuer.replace(/\/$/, ''), idp, config, close: async () => void (await idp.close()) };
}
