// OIDC-8 and where records live: the store the deployment names keeps the consent ledger
// where every replica sees it. Start-up: the memory store only where one process serves
// everyone, a backend module (plugins.store) only where what it cannot share is accepted
// (src/policy/store.ts). The ledger record itself is built and written in src/consent/.
import { memoryStoreProblem, storeModuleProblems } from '../store.js';
import type { Executor } from './types.js';

export const store: Executor = {
  name: 'store',
  report: [
    {
      rule: 'OIDC-8',
      mechanism:
        'src/consent/decision.ts builds and src/consent/record.ts writes the record before the grant is saved or the flow continues; a failed write stops the flow; production refuses a store that would keep the ledger in one process unless store.singleInstance says so (src/policy/executors/store.ts)',
    },
  ],
  checkDeployment(config) {
    const production = config.mode !== 'development';
    if (config.plugins.store) return storeModuleProblems(config.store, production);
    const memory = memoryStoreProblem(config.store, production);
    return memory ? [memory] : [];
  },
};
