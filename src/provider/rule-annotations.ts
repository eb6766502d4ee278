// Refusals the library makes itself (before our policy hook runs) carry its own
// wording; this names the guideline rule behind them, so every refusal a client sees
// says which rule it met. Which message backs which rule is declared by the executor
// that owns the concern (libraryMessages, src/policy/executors/). Only error responses
// are touched.
import type { Middleware } from 'koa';
import { LIBRARY_MESSAGES } from '../policy/executors/index.js';

const ruleFor = (text: string): string | undefined => LIBRARY_MESSAGES.find(({ pattern }) => pattern.test(text))?.rule;

const NAMED = /\((?:TOK|EP|OIDC|GR)-\d+(?:, (?:TOK|EP|OIDC|GR)-\d+)*\)\s*$/;

export function annotate(description: string): string {
  if (NAMED.test(description)) return description;
  const rule = ruleFor(description);
  return rule ? `${description} (${rule})` : description;
}

function annotateUrl(location: string): string {
  try {
    const url = new URL(location);
    const fromHash = url.hash.length > 1;
    const params = new URLSearchParams(fromHash ? url.hash.slice(1) : url.search);
    const description = params.get('error_description');
    if (!params.has('error') || description === null) return location;
    params.set('error_description', annotate(description));
    if (fromHash) url.hash = params.toString();
    else url.search = params.toString();
    return url.href;
  } catch {
    return location;
  }
}

export function ruleAnnotations(): Middleware {
  return async (ctx, next) => {
    await next();
    const body: unknown = ctx.body;
    if (ctx.status >= 400 && body && typeof body === 'object' && 'error' in body && 'error_description' in body) {
      const out = body as { error_description: unknown };
      if (typeof out.error_description === 'string') out.error_description = annotate(out.error_description);
    } else if (ctx.status >= 300 && ctx.status < 400) {
      const location = ctx.response.get('location');
      if (location && location.includes('error=')) ctx.set('location', annotateUrl(location));
    } else if (typeof body === 'string' && body.includes('name="error_description"')) {
      ctx.body = body.replace(/(name="error_description" value=")([^"]*)(")/, (_m, a: string, v: string, b: string) => `${a}${annotate(v)}${b}`);
    }
  };
}

/**
 * The library keeps the reason for an `invalid_grant` out of the response (it sits in
 * `error_detail`); name the rule behind it without revealing the detail. Runs on the
 * `grant.error` event, after the error body is set and before it is sent.
 */
export function annotateGrantError(ctx: { body: unknown }, err: { error_detail?: unknown }): void {
  const body = ctx.body as { error?: unknown; error_description?: unknown } | undefined;
  if (!body || body.error !== 'invalid_grant' || typeof body.error_description !== 'string' || typeof err.error_detail !== 'string') return;
  const rule = ruleFor(err.error_detail);
  if (rule && !NAMED.test(body.error_description)) body.error_description = `${body.error_description} (${rule})`;
}
