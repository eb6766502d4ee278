// `npm run compliance -- --config PATH [--json]`: the compliance report for a deployment
// file, loaded exactly as the IdP loads it (environment overrides, secrets, demo
// clients, deployment checks). Exit 0: no MUST broken; 1: a MUST broken; 2: the file
// cannot be used (the IdP's own message, never a stack trace).
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/errors.js';
import { DEFAULT_CONFIG, loadConfig, type Config } from '../config/load.js';
import { checkDeployment } from '../policy/deployment.js';
import { formatJson, formatMarkdown } from './format.js';
import { complianceReport } from './report.js';

const USAGE = 'usage: npm run compliance -- [--config PATH] [--json]';

/** The demo relying party's clients join the deployment as they do in src/server.ts. */
async function withDemo(config: Config): Promise<{ config: Config; demoClientIds: string[] }> {
  if (!config.demo.enabled) return { config, demoClientIds: [] };
  const demo = await import('../demo/index.js');
  const { config: withClients, clients } = await demo.withDemoClients(config);
  return { config: withClients, demoClientIds: clients.map((c) => c.metadata.client_id) };
}

async function main(): Promise<number> {
  let values: { config?: string | undefined; json?: boolean | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({ options: { config: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: false }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const path = values.config ?? process.env.IDP_CONFIG ?? DEFAULT_CONFIG;
  const { config, demoClientIds } = await withDemo(loadConfig(path));
  const report = complianceReport(config, checkDeployment(config), { demoClientIds });
  process.stdout.write(values.json ? formatJson(report) : formatMarkdown(report));
  return report.mandatoryBroken.length ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(err instanceof ConfigError ? `${err.format()}\n` : `The compliance report could not be made: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
