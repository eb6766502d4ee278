// What the login page shows of the identity sources, and which source a consent names.
import type { Config } from '../../config/load.js';
import type { IdentitySources } from './index.js';

export interface LoginChoices {
  /** "Sign in with <label>" links, one per upstream provider */
  upstreams: { label: string; href: string }[];
  /** password sources to choose from (empty: tried in order, no choice shown) */
  sourceChoices: { id: string; label: string }[];
}

export function loginChoices(config: Config, sources: IdentitySources | undefined, uid: string): LoginChoices {
  if (!sources) return { upstreams: [], sourceChoices: [] };
  return {
    upstreams: sources.upstreams.map((u) => ({ label: u.label, href: `/interaction/${uid}/upstream/${u.id}` })),
    sourceChoices: config.login.chooseSource && sources.passwords.length > 1 ? sources.passwords.map((s) => ({ id: s.id, label: s.label })) : [],
  };
}

interface InteractionFacts {
  lastSubmission?: Record<string, unknown> | undefined;
  session?: { uid?: string; accountId?: string } | undefined;
}

/**
 * OIDC-8: the source of this session's sign-in: the one just made (the login step's
 * result), else the one remembered for the session, else the account's own source.
 */
export async function signedInWith(details: InteractionFacts, sources: IdentitySources | undefined): Promise<string | undefined> {
  if (!sources) return undefined;
  const justNow = details.lastSubmission?.source;
  const session = details.session?.uid;
  if (typeof justNow === 'string') {
    if (session) await sources.rememberSessionSource(session, justNow);
    return justNow;
  }
  const remembered = session ? await sources.sessionSource(session) : undefined;
  return remembered ?? (details.session?.accountId ? sources.sourceOf(details.session.accountId)?.id : undefined);
}
