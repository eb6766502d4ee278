// A deployment may step outside a SHOULD only by naming the rule in `deviations`; the
// compliance report lists every one.
import type { Problem } from '../config/errors.js';
import type { Deviation } from '../config/schema.js';
import { isMandatory, RULE_IDS } from './rules.js';

export function deviationFor(deviations: readonly Deviation[], rule: string): Deviation | undefined {
  return deviations.find((d) => d.rule === rule);
}

/** Start-up: a deviation names a rule of the catalogue, and never a MUST. */
export function deviationProblems(deviations: readonly Deviation[]): Problem[] {
  const problems: Problem[] = [];
  deviations.forEach((d, i) => {
    if (!RULE_IDS.has(d.rule)) problems.push({ field: `deviations[${i}].rule`, message: `${d.rule} is not a rule of the guideline` });
    else if (isMandatory(d.rule)) problems.push({ field: `deviations[${i}].rule`, message: `${d.rule} is a MUST and cannot be waived`, rule: d.rule });
  });
  return problems;
}
