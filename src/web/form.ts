// Plain HTML forms: read an urlencoded body (small, bounded) and guard it with a CSRF
// token bound to a signed, SameSite=Strict cookie (double submit).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'koa';

const LIMIT = 16 * 1024;
const CSRF_COOKIE = 'idp.csrf';

export class FormError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function readForm(ctx: Context): Promise<URLSearchParams> {
  if (!ctx.is('application/x-www-form-urlencoded')) throw new FormError(415, 'The form was not sent as a form.');
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > LIMIT) throw new FormError(413, 'The form was too large.');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export function issueCsrf(ctx: Context, path: string): string {
  const existing = ctx.cookies.get(CSRF_COOKIE, { signed: true });
  if (existing) return existing;
  const token = randomBytes(32).toString('base64url');
  ctx.cookies.set(CSRF_COOKIE, token, { signed: true, httpOnly: true, sameSite: 'strict', path, secure: ctx.secure, overwrite: true });
  return token;
}

export function checkCsrf(ctx: Context, form: URLSearchParams): void {
  const expected = ctx.cookies.get(CSRF_COOKIE, { signed: true });
  const given = form.get('csrf') ?? '';
  const ok = expected !== undefined && expected.length === given.length && timingSafeEqual(Buffer.from(expected), Buffer.from(given));
  if (!ok) throw new FormError(403, 'This form has expired. Go back to the application and start again.');
}
