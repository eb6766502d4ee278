// The compliance report's data: what `--json` prints and what the Markdown is made of.
// Field names are a contract with assurance tooling: add fields, never rename them.
import type { Level } from '../policy/rules.js';

export const STATUSES = ['enforced', 'default', 'deviation', 'not applicable', 'broken'] as const;
export type Status = (typeof STATUSES)[number];

export interface DeviationNote {
  /** what the deployment changed, e.g. `lifetimes.accessToken` or `mode = development` */
  setting: string;
  /** the reason the deployment file gives (or says that it gives none) */
  reason: string;
}

/** One rule's judgement, before the deployment checks and `deviations[]` are laid over it. */
export interface Assessment {
  status: Status;
  /** the setting or value that decides it, e.g. "lifetimes.accessToken = 600 s (cap 3599)" */
  evidence: string;
  /** how the running IdP holds the rule (or the parts of it that it holds), naming the mechanism */
  mechanism?: string;
  /** what an assessor has to check by hand because neither file nor code can show it */
  review?: string;
  deviation?: DeviationNote;
}

export interface ReportRow {
  id: string;
  level: Level;
  text: string;
  status: Status;
  evidence: string;
  mechanism: string | null;
  deviation: DeviationNote | null;
  /** the deployment checks' problems for this rule (field: message) */
  problems: string[];
  review: string | null;
}

export interface Report {
  reportVersion: 1;
  issuer: string;
  mode: 'development' | 'production';
  store: 'memory' | 'redis';
  source: string;
  generatedAt: string;
  /** false when the start-up checks report any problem: the IdP refuses to start (CLI exit 3, or 1 if a MUST is broken) */
  startsUp: boolean;
  summary: Record<Status, number>;
  /** MUST / MUST NOT rules that are broken; non-empty means the CLI exits 1 */
  mandatoryBroken: string[];
  /** deployment problems that name no rule (they still stop start-up) */
  otherProblems: string[];
  /**
   * secret material left unread (--no-secrets), as `field (env NAME | file PATH)`; checks
   * on those values were not made, so `startsUp` holds only as far as the rest goes
   */
  unresolvedSecrets: string[];
  /** facts about the deployment a reviewer wants at a glance */
  notes: string[];
  rows: ReportRow[];
}
