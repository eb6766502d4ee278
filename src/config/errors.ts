// Start-up errors for operators: one line per problem, naming the field and, where a
// guideline rule is behind it, the rule ID. Never a stack trace, never a secret value.
export interface Problem {
  /** dotted path in the deployment file, e.g. `clients[1].response_types` */
  field: string;
  message: string;
  rule?: string | undefined;
}

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly Problem[],
  ) {
    super(`${source}: ${problems.length} problem(s) in the configuration`);
    this.name = 'ConfigError';
  }

  format(): string {
    const lines = this.problems.map((p) => `  - ${p.field}: ${p.message}${p.rule ? ` (${p.rule})` : ''}`);
    return [`The configuration ${this.source} cannot be used:`, ...lines].join('\n');
  }
}

export function pathOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, part) => {
    if (typeof part === 'number') return `${out}[${part}]`;
    return out ? `${out}.${String(part)}` : String(part);
  }, '') || '(top level)';
}
