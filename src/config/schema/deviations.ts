// Declared steps outside a SHOULD, each reported (config/guides/deployment.md).
import { z } from 'zod';

export const deviation = z.strictObject({
  rule: z.string().regex(/^(TOK|EP|OIDC|GR|AUTH)-\d+$/, 'a rule ID such as TOK-3').describe('The rule (a SHOULD) departed from, e.g. `TOK-3`. A MUST cannot be waived.'),
  setting: z.string().min(1).describe('The setting that departs from it, e.g. `lifetimes.accessToken`.'),
  reason: z.string().min(10, 'say why, in at least a sentence').describe('Why, in at least a sentence; the compliance report shows it.'),
});

export const deviations = z
  .array(deviation)
  .default([])
  .describe('An explicit, reported step outside a SHOULD (e.g. `TOK-3` for longer access tokens, `GR-4` for plain `code` for confidential clients). A MUST cannot be waived. A deviation raises a cap to a stated ceiling, never removes it (config/guides/deployment.md: *Deviations and their ceilings*). The compliance report lists every deviation.');
