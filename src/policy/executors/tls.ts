// EP-11: every endpoint is served over TLS. Start-up: production needs an https issuer, and
// TLS terminated here (tls) or at a proxy the IdP is told to trust (proxy). Registration:
// redirect URIs off loopback are https (src/policy/executors/redirect-uris.ts).
import type { Problem } from '../../config/errors.js';
import type { Executor } from './types.js';

export const tls: Executor = {
  name: 'tls',
  report: [
    {
      rule: 'EP-11',
      mechanism:
        'production refuses to start with an issuer that is not https, or without tls (the IdP terminates TLS) or proxy (a TLS-terminating proxy it trusts) (src/policy/executors/tls.ts); registration refuses http redirect URIs off loopback (src/policy/executors/redirect-uris.ts)',
    },
  ],
  checkDeployment(config) {
    if (config.mode === 'development') return [];
    const problems: Problem[] = [];
    // EP-11: production only; development may run over http on a developer's machine.
    if (new URL(config.issuer).protocol !== 'https:') {
      problems.push({ field: 'issuer', message: 'must be an https URL in production mode (TLS here or at a trusted proxy)', rule: 'EP-11' });
    }
    if (!config.tls && !config.proxy) {
      problems.push({ field: 'tls', message: 'production needs TLS: set tls (the IdP terminates it) or proxy = true (a TLS-terminating proxy in front)', rule: 'EP-11' });
    }
    return problems;
  },
};
