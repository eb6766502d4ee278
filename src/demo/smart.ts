// OIDC-9: the demo SMART apps' API call — the last link of the chain the demo shows. The
// access token goes to the demo FHIR API (src/smart/demo-fhir.ts), which checks it as a
// real FHIR server must; the page shows what came back, or the API's refusal.
import * as oidc from 'openid-client';

export interface DemoObservation {
  text: string;
  category: string;
  value: string;
}

export interface DemoFhirResult {
  requests: { url: string; status: number }[];
  patientName?: string | undefined;
  observations: DemoObservation[];
  error?: string | undefined;
}

interface Quantity {
  value?: number;
  unit?: string;
}
interface Observation {
  code?: { text?: string };
  category?: { coding?: { code?: string }[] }[];
  valueQuantity?: Quantity;
  component?: { code?: { text?: string }; valueQuantity?: Quantity }[];
}

const quantity = (q: Quantity | undefined) => (q ? `${q.value ?? ''} ${q.unit ?? ''}`.trim() : '');

function describe(o: Observation): DemoObservation {
  const value = o.valueQuantity ? quantity(o.valueQuantity) : (o.component ?? []).map((c) => `${c.code?.text ?? ''} ${quantity(c.valueQuantity)}`.trim()).join(', ');
  return { text: o.code?.text ?? 'Observation', category: o.category?.[0]?.coding?.[0]?.code ?? '', value };
}

/** GET the launch patient and their Observations with the access token (a DPoP proof when the token is bound). */
export async function callDemoFhir(rp: oidc.Configuration, fhir: string, accessToken: string, patient: string | undefined, dpop: oidc.DPoPHandle | undefined): Promise<DemoFhirResult> {
  const result: DemoFhirResult = { requests: [], observations: [] };
  if (!patient) return { ...result, error: 'The token response carried no patient, so the app has no patient to read.' };
  const get = async (path: string) => {
    const url = new URL(`${fhir}/${path}`);
    let res = await oidc.fetchProtectedResource(rp, accessToken, url, 'GET', null, undefined, { DPoP: dpop });
    // RFC 9449: a resource server may ask for a nonce once.
    if (res.status === 401 && dpop && res.headers.get('dpop-nonce')) res = await oidc.fetchProtectedResource(rp, accessToken, url, 'GET', null, undefined, { DPoP: dpop });
    result.requests.push({ url: url.href, status: res.status });
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (!res.ok) {
      const issue = (body.issue as { diagnostics?: string }[] | undefined)?.[0]?.diagnostics;
      throw new Error(`The FHIR API refused ${url.pathname}: ${issue ?? `HTTP ${res.status}`}`);
    }
    return body;
  };
  try {
    const p = await get(`Patient/${encodeURIComponent(patient)}`);
    result.patientName = (p.name as { text?: string }[] | undefined)?.[0]?.text;
    const bundle = await get(`Observation?patient=${encodeURIComponent(patient)}`);
    result.observations = ((bundle.entry as { resource: Observation }[] | undefined) ?? []).map((e) => describe(e.resource));
  } catch (err) {
    result.error = (err as Error).message;
  }
  return result;
}
