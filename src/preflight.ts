// What start-up decides before it opens anything: the demo relying party's clients join
// the deployment (development mode) and the deployment checks run. createIdp and the
// compliance report both call this, so the report's "Starts up" is start-up's own verdict.
import type { Config } from './config/load.js';
import { checkDeployment, type DeploymentPolicy } from './policy/deployment.js';
import { signingKeyProblems } from './provider/keys.js';

type DemoModule = typeof import('./demo/index.js');
type DemoClient = Awaited<ReturnType<DemoModule['withDemoClients']>>['clients'][number];

export interface Preflight {
  /** the file's Config, with the demo clients added when `demo.enabled` */
  config: Config;
  policy: DeploymentPolicy;
  /** the demo relying party, when `demo.enabled` */
  demo: { module: DemoModule; clients: DemoClient[] } | undefined;
}

export async function preflight(fileConfig: Config): Promise<Preflight> {
  if (!fileConfig.demo.enabled) return { config: fileConfig, policy: await checked(fileConfig), demo: undefined };
  const module = await import('./demo/index.js');
  const { config, clients } = await module.withDemoClients(fileConfig);
  return { config, policy: await checked(config), demo: { module, clients } };
}

/** The deployment checks, and every signing key imported and test-signed (EP-7). */
async function checked(config: Config): Promise<DeploymentPolicy> {
  const policy = checkDeployment(config);
  if (!config.signingJwks) return policy;
  const keyProblems = await signingKeyProblems(config.signingJwks);
  return keyProblems.length ? { ...policy, problems: [...policy.problems, ...keyProblems] } : policy;
}
