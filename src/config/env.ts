// The environment overrides operators set per environment (PORT, ISSUER, HOST, REDIS_URL),
// applied to the raw deployment file before it is validated.

function withLoopbackPort(issuer: string, port: string): string {
  try {
    const url = new URL(issuer);
    if (!['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) return issuer;
    url.port = port;
    return url.href.replace(/\/$/, '');
  } catch {
    return issuer;
  }
}

/** OIDC-9: the demo FHIR API is served under the issuer, so it moves when the issuer does. */
function withDemoFhirAt(servers: unknown, base: string): unknown {
  if (!Array.isArray(servers)) return servers;
  return servers.map((s: unknown) => {
    const api = s as { fhir?: { demo?: unknown } } | null;
    return api && typeof api === 'object' && api.fhir?.demo === true ? { ...api, identifier: base } : s;
  });
}


/** Apply the environment overrides (PORT, ISSUER, HOST, REDIS_URL) to the raw file. */
export function applyEnv(raw: unknown, env: NodeJS.ProcessEnv): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const out: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  if (env.PORT !== undefined && env.PORT !== '') {
    out.port = Number(env.PORT);
    // A developer moving the port on a laptop means the issuer moves with it.
    if (!env.ISSUER && out.mode === 'development' && typeof out.issuer === 'string') out.issuer = withLoopbackPort(out.issuer, env.PORT);
  }
  if (env.ISSUER) out.issuer = env.ISSUER;
  if (out.issuer !== (raw as Record<string, unknown>).issuer) out.resourceServers = withDemoFhirAt(out.resourceServers, `${String(out.issuer).replace(/\/$/, '')}/demo/fhir`);
  if (env.HOST) out.host = env.HOST;
  if (env.REDIS_URL) {
    const current = (out.store ?? {}) as Record<string, unknown>;
    out.store = { ...(current.type === 'redis' ? current : { type: 'redis' }), url: env.REDIS_URL };
  }
  return out;
}
