// Development mode only: a tiny FHIR API at `<issuer>/demo/fhir`, so a developer sees the
// whole SMART chain — launch, sign-in, consent, token, API call. It checks an access token
// as a real FHIR server must: signature (the IdP's JWKS), `aud`, expiry, scopes, the
// patient compartment, and DPoP where the token is bound. Its data is made up.
import { createHash } from 'node:crypto';
import Router from '@koa/router';
import type { Context } from 'koa';
import { calculateJwkThumbprint, createRemoteJWKSet, EmbeddedJWK, jwtVerify, type JWTPayload } from 'jose';
import type { Config } from '../config/load.js';
import type { SmartPatient } from '../config/schema.js';
import { parseSmartScope } from '../policy/smart-scopes.js';

export const DEMO_FHIR_PATH = '/demo/fhir';

interface Demo {
  base: string;
  patients: readonly SmartPatient[];
  discovery: () => Record<string, unknown>;
}

function observations(patient: SmartPatient) {
  const subject = { reference: `Patient/${patient.id}` };
  const lab = (code: string, display: string, value: number, unit: string) => ({
    resourceType: 'Observation',
    id: `${patient.id}-${code}`,
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory' }] }],
    code: { text: display },
    subject,
    valueQuantity: { value, unit },
  });
  return [
    lab('hba1c', 'HbA1c', 41, 'mmol/mol'),
    lab('chol', 'Total cholesterol', 4.6, 'mmol/L'),
    {
      resourceType: 'Observation',
      id: `${patient.id}-bp`,
      status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
      code: { text: 'Blood pressure' },
      subject,
      component: [
        { code: { text: 'Systolic' }, valueQuantity: { value: 122, unit: 'mm[Hg]' } },
        { code: { text: 'Diastolic' }, valueQuantity: { value: 78, unit: 'mm[Hg]' } },
      ],
    },
  ];
}

function outcome(ctx: Context, status: number, text: string, wwwAuthenticate?: string) {
  ctx.status = status;
  if (wwwAuthenticate) ctx.set('www-authenticate', wwwAuthenticate);
  ctx.type = 'application/fhir+json';
  ctx.body = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: status === 403 ? 'forbidden' : 'login', diagnostics: text }] };
}

/** The token's claims when it may read `type` for `patient`, or undefined after answering. */
async function authorise(ctx: Context, demo: Demo, jwks: ReturnType<typeof createRemoteJWKSet>, issuer: string, type: string, patient: string): Promise<{ claims: JWTPayload; categories: Set<string> | undefined } | undefined> {
  const header = ctx.get('authorization');
  const m = /^(Bearer|DPoP)\s+(\S+)$/i.exec(header);
  if (!m) return void outcome(ctx, 401, 'an access token is required', 'Bearer');
  const [, scheme = '', token = ''] = m;
  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(token, jwks, { issuer, audience: demo.base, typ: 'at+jwt' }));
  } catch (err) {
    return void outcome(ctx, 401, `the access token is not valid here (${(err as { code?: string }).code ?? 'invalid'})`, 'Bearer error="invalid_token"');
  }
  const jkt = (claims.cnf as { jkt?: string } | undefined)?.jkt;
  if (jkt) {
    // RFC 9449: a DPoP-bound token comes with a proof signed by the bound key, for this request.
    const proof = ctx.get('dpop');
    if (scheme.toLowerCase() !== 'dpop' || !proof) return void outcome(ctx, 401, 'this token is DPoP-bound: send it as DPoP with a proof', 'DPoP');
    try {
      const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', maxTokenAge: 60 });
      const url = `${demo.base}${ctx.path.slice(DEMO_FHIR_PATH.length)}`;
      const ath = createHash('sha256').update(token).digest('base64url');
      if (payload.htm !== ctx.method || String(payload.htu).split('?')[0] !== url || payload.ath !== ath) throw new Error('mismatch');
      if ((await calculateJwkThumbprint(protectedHeader.jwk ?? {})) !== jkt) throw new Error('key');
    } catch {
      return void outcome(ctx, 401, 'the DPoP proof does not match the token or this request', 'DPoP error="invalid_dpop_proof"');
    }
  }
  const scopes = (typeof claims.scope === 'string' ? claims.scope : '').split(' ');
  // Which scopes read this type, and whether they are granular (category-limited).
  const reading = scopes.map((s) => parseSmartScope(s)).filter((p) => p && (p.type === '*' || p.type === type) && p.permissions.includes('r'));
  if (!reading.length) return void outcome(ctx, 403, `the token has no scope that reads ${type}`);
  const categories = reading.some((p) => !p?.query.has('category')) ? undefined : new Set(reading.map((p) => p?.query.get('category')?.split('|').pop() ?? ''));
  // patient/ scopes reach the token's own patient only.
  const patientScoped = !scopes.some((s) => s.startsWith('user/') || s.startsWith('system/'));
  if (patientScoped && claims.patient !== patient) return void outcome(ctx, 403, 'the token is for another patient');
  return { claims, categories };
}

export function demoFhirRouter(config: Config, discovery: () => Record<string, unknown>): Router | undefined {
  const server = config.resourceServers.find((api) => api.fhir?.demo);
  if (config.mode !== 'development' || !server) return undefined;
  const demo: Demo = { base: server.identifier.replace(/\/+$/, ''), patients: config.smart.patients, discovery };
  const jwks = createRemoteJWKSet(new URL(`${config.issuer.replace(/\/$/, '')}/jwks`));
  const router = new Router({ prefix: DEMO_FHIR_PATH });
  const json = (ctx: Context, body: unknown) => {
    ctx.type = 'application/fhir+json';
    ctx.set('cache-control', 'no-store');
    ctx.body = body;
  };

  router.get('/.well-known/smart-configuration', (ctx) => {
    ctx.set('cache-control', 'public, max-age=300');
    ctx.body = demo.discovery();
  });
  router.get('/metadata', (ctx) =>
    json(ctx, { resourceType: 'CapabilityStatement', status: 'active', kind: 'instance', fhirVersion: '4.0.1', format: ['json'], rest: [{ mode: 'server', resource: [{ type: 'Patient' }, { type: 'Observation' }] }] }),
  );
  router.get('/Patient/:id', async (ctx) => {
    const patient = demo.patients.find((p) => p.id === ctx.params.id);
    if (!(await authorise(ctx, demo, jwks, config.issuer, 'Patient', ctx.params.id ?? ''))) return;
    if (!patient) return outcome(ctx, 404, 'no such patient');
    json(ctx, { resourceType: 'Patient', id: patient.id, name: [{ text: patient.name }], birthDate: patient.birthDate });
  });
  router.get('/Observation', async (ctx) => {
    const ref = String(ctx.query.patient ?? ctx.query.subject ?? '').replace(/^Patient\//, '');
    const allowed = await authorise(ctx, demo, jwks, config.issuer, 'Observation', ref);
    if (!allowed) return;
    const patient = demo.patients.find((p) => p.id === ref);
    const category = typeof ctx.query.category === 'string' ? ctx.query.category.split('|').pop() : undefined;
    const code = (o: { category: { coding: { code: string }[] }[] }) => o.category[0]?.coding[0]?.code ?? '';
    // Granular scopes (?category=) see only their categories.
    const found = (patient ? observations(patient) : []).filter((o) => (!category || code(o) === category) && (!allowed.categories || allowed.categories.has(code(o))));
    json(ctx, { resourceType: 'Bundle', type: 'searchset', total: found.length, entry: found.map((resource) => ({ fullUrl: `${demo.base}/Observation/${resource.id}`, resource })) });
  });
  return router;
}
