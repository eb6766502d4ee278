// EP-7, TOK-9: the keys /jwks publishes can sign with every algorithm the file enables, and
// are strong enough (src/policy/signing-keys.ts). Start-up only: production refuses to
// start without keys.signing (src/config/load.ts); that each key really signs is tried
// when the provider starts (src/provider/keys.ts).
import { signingAlgsInUse } from '../algorithms.js';
import { checkSigningJwks } from '../signing-keys.js';
import type { Executor } from './types.js';

export const signingKeys: Executor = {
  name: 'signing-keys',
  report: [
    {
      rule: 'EP-7',
      mechanism:
        'the library serves /jwks from the provider keys; production refuses to start without keys.signing (src/config/load.ts), and start-up refuses public-only, weak or missing keys for an enabled algorithm (src/policy/executors/signing-keys.ts)',
    },
  ],
  checkDeployment: (config) => (config.signingJwks ? checkSigningJwks(config.signingJwks.keys, signingAlgsInUse(config)) : []),
};
