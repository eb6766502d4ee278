// What start-up decides before it opens anything: the demo relying party's clients join
// the deployment (development mode) and the deployment checks run. createIdp and the
// compliance report both call this, so the report's "Starts up" is start-up's own verdict.
import type { Config } from './config/load.js';
import { checkDeployment, type DeploymentPolicy } from './policy/deployment.js';

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
  if (!fileConfig.demo.enabled) return { config: fileConfig, policy: checkDeployment(fileConfig), demo: undefined };
  const module = await import('./demo/index.js');
  const { config, clients } = await module.withDemoClients(fileConfig);
  return { config, policy: checkDeployment(config), demo: { module, clients } };
}
