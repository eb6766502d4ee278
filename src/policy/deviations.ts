// A deployment may step outside a SHOULD only by naming the rule in `deviations`; the
// compliance report lists every one.
import type { Deviation } from '../config/schema.js';

export function deviationFor(deviations: readonly Deviation[], rule: string): Deviation | undefined {
  return deviations.find((d) => d.rule === rule);
}
