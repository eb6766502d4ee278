// `npm run compliance -- --config PATH [--json] [--no-secrets]`: the compliance report
// for a deployment file, loaded exactly as the IdP loads it (environment overrides,
// secrets, demo clients, the start-up checks of src/preflight.ts). Rule IDs are those
// of src/policy/rules.ts. The exit code gates a release pipeline (EXIT below).
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/errors.js';
import { DEFAULT_CONFIG, loadConfig } from '../config/load.js';
import { preflight } from '../preflight.js';
import { formatJson, formatMarkdown } from './format.js';
import { complianceReport } from './report.js';
import type { Report } from './types.js';

/** config/guides/compliance.md "Exit codes" says the same; 0 is the only code a pipeline should let through. */
const EXIT = {
  /** start-up accepts the file and no MUST / MUST NOT rule is broken */
  ok: 0,
  /** a MUST / MUST NOT rule is broken (whether or not start-up accepts the file) */
  mandatoryBroken: 1,
  /** the file cannot be loaded: unreadable, not JSON, invalid, a secret missing or refused */
  unusable: 2,
  /** no MUST is broken, but start-up would refuse the file (the report lists why) */
  refusedAtStartUp: 3,
} as const;

const USAGE = 'usage: npm run compliance -- [--config PATH] [--json] [--no-secrets]';

function exitCodeFor(report: Report): number {
  if (report.mandatoryBroken.length) return EXIT.mandatoryBroken;
  if (!report.startsUp) return EXIT.refusedAtStartUp;
  return EXIT.ok;
}

async function main(): Promise<number> {
  let values: { config?: string | undefined; json?: boolean | undefined; 'no-secrets'?: boolean | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      options: { config: { type: 'string' }, json: { type: 'boolean' }, 'no-secrets': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: false,
    }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return EXIT.unusable;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  const path = values.config || process.env.IDP_CONFIG || DEFAULT_CONFIG;
  const { config, policy, demo } = await preflight(loadConfig(path, { resolveSecrets: !values['no-secrets'] }));
  const report = complianceReport(config, policy, { demoClientIds: demo?.clients.map((c) => c.metadata.client_id) ?? [] });
  process.stdout.write(values.json ? formatJson(report) : formatMarkdown(report));
  return exitCodeFor(report);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(err instanceof ConfigError ? `${err.format()}\n` : `The compliance report could not be made: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = EXIT.unusable;
  },
);
