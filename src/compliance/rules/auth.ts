// AUTH-1: second factors and levels of assurance (beyond the guideline; issue #16).
import { factorsFor, minimumAcr, rankOf } from '../../policy/executors/assurance.js';
import { enforcedBy, type Assess } from '../context.js';

export const authRules: Record<string, Assess> = {
  'AUTH-1': ({ config }) => {
    const a = config.assurance;
    const production = config.mode === 'production';
    const levels = a.levels.map((l) => `${l.acr} (${l.secondFactors.length ? `password + ${l.secondFactors.join('/')}` : 'password'})`);
    const sensitive = minimumAcr(a, 'SENSITIVE', production);
    const evidence = `levels offered (acr_values_supported): ${levels.join('; ')}; minimum for SENSITIVE clients: ${sensitive}`;
    const mechanism = enforcedBy('AUTH-1');
    if (factorsFor(a, rankOf(a, sensitive)).length) return { status: 'enforced', evidence, mechanism };
    // A declared AUTH-1 deviation turns this into 'deviation' with its reason (report.ts).
    return { status: 'default', evidence, review: 'SENSITIVE clients get a password-only sign-in: only acceptable in development or with a declared AUTH-1 deviation' };
  },
};
