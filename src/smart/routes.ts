// OIDC-9: SMART's own routes. `POST /smart/launch`: an EHR system posts a launch context
// and gets an opaque, short-lived, single-use `launch` value for the app it opens. The
// EHR proves who it is with an access token it got from /token by client_credentials (so
// every client authentication the token endpoint accepts works here, checked there); a
// DPoP- or mTLS-bound token (a SENSITIVE EHR's) with its proof (src/smart/sender-proof.ts).
// `/interaction/:uid/patient`: the patient picker of a practitioner's standalone launch.
import Router from '@koa/router';
import type { Context } from 'koa';
import { errors, type Provider } from 'oidc-provider';
import type { Config } from '../config/load.js';
import { checkCsrf, FormError, issueCsrf, readForm } from '../web/form.js';
import { sendPage } from '../web/render.js';
import { clientFacts } from '../consent/decision.js';
import { parseLaunchRequest } from '../policy/smart-launch.js';
import type { AccountStore } from '../accounts/store.js';
import type { PatientDirectory } from './directory.js';
import type { SmartStore } from './launch-store.js';
import { PICKER_PROMPT } from './provider.js';
import { senderProofChecker } from './sender-proof.js';

export interface SmartRouteDeps {
  provider: Provider;
  config: Config;
  store: SmartStore;
  accounts: AccountStore;
  directory: PatientDirectory;
}

function oauthError(ctx: Context, status: number, error: string, description: string, challenge?: string): void {
  ctx.status = status;
  ctx.set('cache-control', 'no-store');
  if (status === 401) ctx.set('www-authenticate', challenge ?? `Bearer error="${error}"`);
  ctx.body = { error, error_description: description };
}

/** The EHR client behind a bearer token from client_credentials, or why not. */
async function launcherOf(ctx: Context, deps: SmartRouteDeps & { checkProof: ReturnType<typeof senderProofChecker> }): Promise<string | { status: number; error: string; description: string; challenge?: string }> {
  const [, scheme = '', token] = /^(bearer|dpop)\s+([\w\-.~+/]+=*)$/i.exec(ctx.get('authorization')) ?? [];
  if (!token) return { status: 401, error: 'invalid_token', description: 'send an access token from client_credentials at /token as Authorization: Bearer (or DPoP, when bound) (OIDC-9)' };
  const found = await deps.provider.ClientCredentials.find(token);
  if (!found || found.isExpired) return { status: 401, error: 'invalid_token', description: 'the access token is unknown or has expired (OIDC-9)' };
  const clientId = found.clientId;
  // EP-2: a sender-constrained token is worth nothing without its proof (src/smart/sender-proof.ts).
  const proof = await deps.checkProof(ctx, scheme.toLowerCase(), token, found, clientId ?? '');
  if (!proof.ok) return { status: 401, error: proof.error, description: proof.description, challenge: proof.challenge };
  if (!clientId || !deps.config.smart.ehrLaunchers.includes(clientId)) return { status: 403, error: 'insufficient_scope', description: 'this client is not an EHR allowed to launch apps: list it in smart.ehrLaunchers (OIDC-9)' };
  return clientId;
}

/** The EHR's API (OAuth errors as JSON). */
export function launchRouter(deps: SmartRouteDeps): Router {
  const router = new Router();
  const { provider, config, store } = deps;
  const checkProof = senderProofChecker(provider, config);

  router.post('/smart/launch', async (ctx) => {
    const launcher = await launcherOf(ctx, { ...deps, checkProof });
    if (typeof launcher !== 'string') return oauthError(ctx, launcher.status, launcher.error, launcher.description, launcher.challenge);
    let body: Record<string, unknown>;
    if (ctx.is('application/json')) {
      const raw = await readText(ctx);
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return oauthError(ctx, 400, 'invalid_request', 'the body is not JSON (OIDC-9)');
      }
      if (!body || typeof body !== 'object' || Array.isArray(body)) return oauthError(ctx, 400, 'invalid_request', 'the body must be a JSON object (OIDC-9)');
    } else {
      body = Object.fromEntries((await readForm(ctx)).entries());
    }
    const parsed = parseLaunchRequest(body);
    if ('error' in parsed) return oauthError(ctx, 400, parsed.error, parsed.description);
    if (parsed.clientId && !(await provider.Client.find(parsed.clientId))) return oauthError(ctx, 400, 'invalid_request', 'client_id names no registered application (OIDC-9)');
    const ttl = config.smart.launchLifetime;
    const launch = await store.issueLaunch({ launcher, clientId: parsed.clientId, context: parsed.context }, ttl);
    ctx.status = 201;
    ctx.set('cache-control', 'no-store');
    ctx.body = { launch, expires_in: ttl };
  });

  return router;
}

/** The patient picker (a page for people: its errors are readable pages). */
export function pickerRouter(deps: SmartRouteDeps): Router {
  const router = new Router();
  const { provider, directory } = deps;

  async function pickerDetails(ctx: Context) {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (details.uid !== (ctx.params as { uid?: string }).uid) throw new errors.SessionNotFound('interaction mismatch');
    if (details.prompt.name !== PICKER_PROMPT || details.result) throw new FormError(400, 'This step of the sign-in is already done.');
    const practitioner = details.session?.accountId;
    if (!practitioner) throw new errors.SessionNotFound('no signed-in account');
    return { details, practitioner };
  }

  async function showPicker(ctx: Context, uid: string, clientId: string, practitioner: string, query: string, error?: string) {
    const client = await clientFacts(provider, clientId);
    await sendPage(ctx, 'patient-picker', {
      title: 'Choose a patient',
      client,
      action: `/interaction/${uid}/patient`,
      searchAction: `/interaction/${uid}/find-patient`,
      csrf: issueCsrf(ctx, `/interaction/${uid}`),
      query,
      patients: await directory.search(query, practitioner),
      error,
    }, error ? 400 : 200);
  }

  router.get(['/interaction/:uid/patient', '/interaction/:uid/find-patient'], async (ctx) => {
    const { details, practitioner } = await pickerDetails(ctx);
    const q = typeof ctx.query.q === 'string' ? ctx.query.q.slice(0, 100) : '';
    await showPicker(ctx, details.uid, String(details.params.client_id), practitioner, q);
  });

  router.post('/interaction/:uid/patient', async (ctx) => {
    const { details, practitioner } = await pickerDetails(ctx);
    const form = await readForm(ctx);
    checkCsrf(ctx, form);
    const chosen = await directory.find(form.get('patient') ?? '', practitioner);
    if (!chosen) return showPicker(ctx, details.uid, String(details.params.client_id), practitioner, '', 'Choose one of the patients listed.');
    // The choice rides in the interaction's result to consent and on to the code (src/smart/provider.ts).
    await provider.interactionFinished(ctx.req, ctx.res, { smart: { patient: chosen.id } }, { mergeWithLastSubmission: false });
  });

  return router;
}

const MAX_BODY = 16 * 1024;

async function readText(ctx: Context): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new FormError(413, 'The request is too large.');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
