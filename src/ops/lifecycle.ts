// The operations side of an IdP's life: the management listener comes up with the main
// one, `idp.started` is audited once both listen, and both close together.
import type { Server } from 'node:http';
import type { Idp } from '../server.js';
import { managementServer } from './management.js';
import { deploymentDigest } from './started.js';
import type { StoreWatch } from './store-watch.js';

export interface OperationsParts {
  storeWatch: StoreWatch;
  isShuttingDown: () => boolean;
}

function listenOn(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

export function withOperations(idp: Idp, { storeWatch, isShuttingDown }: OperationsParts): Idp {
  const { config, metrics, audit, store } = idp;
  const listen = idp.listen.bind(idp);
  const close = idp.close.bind(idp);
  let management: Server | undefined;

  idp.listen = async (port, host) => {
    if (config.management) {
      management = managementServer({ registry: metrics.registry, ready: async () => !isShuttingDown() && (await store.ready().catch(() => false)) });
      idp.managementPort = await listenOn(management, config.management.port, config.management.host);
    }
    const bound = await listen(port, host);
    audit.emit('idp.started', {}, {
      configDigest: deploymentDigest(config),
      mode: config.mode,
      issuer: config.issuer,
      store: store.kind,
      port: bound,
      managementPort: idp.managementPort,
    });
    return bound;
  };

  idp.close = async (options) => {
    storeWatch.stop();
    const m = management;
    if (m) await new Promise<void>((resolve) => m.close(() => resolve()));
    const report = await close(options);
    await audit.close();
    return report;
  };
  return idp;
}
