// The plain HTML forms' guard: a bounded urlencoded body and a CSRF token that must match
// a signed, SameSite=Strict cookie (double submit). Over real HTTP on a bare koa app.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Koa from 'koa';
import { checkCsrf, FormError, issueCsrf, readForm } from '../../src/web/form.js';

const LIMIT = 16 * 1024;

function app(): Koa {
  const koa = new Koa({ keys: ['test-cookie-key-0123456789abcdef'], proxy: true });
  koa.use(async (ctx) => {
    try {
      if (ctx.method === 'GET') {
        ctx.body = issueCsrf(ctx, '/forms');
        return;
      }
      const form = await readForm(ctx);
      if (ctx.path === '/guarded') checkCsrf(ctx, form);
      ctx.body = JSON.stringify(Object.fromEntries(form));
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      ctx.status = err.status;
      ctx.body = err.message;
    }
  });
  return koa;
}

describe('forms: body limit and CSRF (double submit, signed cookie)', () => {
  let server: ReturnType<Koa['listen']>;
  let base: string;
  before(async () => {
    server = app().listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** A form page: the token in the page and the cookies set with it. */
  async function formPage(headers: Record<string, string> = {}) {
    const res = await fetch(`${base}/forms`, { headers });
    const setCookies = res.headers.getSetCookie();
    const cookie = setCookies.map((c) => c.split(';')[0]).join('; ');
    return { token: await res.text(), setCookies, cookie };
  }
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });

  it('a form with the token from its page and the cookie passes', async () => {
    const { token, cookie } = await formPage();
    const res = await post('/guarded', `csrf=${token}&x=1`, { cookie });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { csrf: token, x: '1' });
  });

  it('the CSRF cookie is signed, HttpOnly, SameSite=Strict, on the form path; Secure behind TLS', async () => {
    const plain = await formPage();
    const csrf = plain.setCookies.find((c) => c.startsWith('idp.csrf='));
    assert.ok(csrf);
    assert.match(csrf, /; path=\/forms/);
    assert.match(csrf, /; samesite=strict/i);
    assert.match(csrf, /; httponly/i);
    assert.doesNotMatch(csrf, /; secure/i, 'no Secure flag over plain http');
    assert.ok(plain.setCookies.some((c) => c.startsWith('idp.csrf.sig=')), 'a signature cookie goes with it');
    const tls = await formPage({ 'x-forwarded-proto': 'https' });
    assert.match(tls.setCookies.find((c) => c.startsWith('idp.csrf=')) ?? '', /; secure/i);
  });

  it('a second form page keeps the token, so a form already open stays valid', async () => {
    const first = await formPage();
    const second = await formPage({ cookie: first.cookie });
    assert.equal(second.token, first.token);
    assert.deepEqual(second.setCookies, [], 'no new cookie');
    assert.equal((await post('/guarded', `csrf=${first.token}`, { cookie: first.cookie })).status, 200);
  });

  it('each new visitor gets a fresh random token', async () => {
    const a = await formPage();
    const b = await formPage();
    assert.notEqual(a.token, b.token);
    assert.equal(Buffer.from(a.token, 'base64url').length, 32);
  });

  it('a CSRF cookie an attacker plants (no signature, or a forged one) is refused', async () => {
    const planted = 'planted-token-value-0123456789abcdefghijk';
    const unsigned = await post('/guarded', `csrf=${planted}`, { cookie: `idp.csrf=${planted}` });
    assert.equal(unsigned.status, 403);
    const forged = await post('/guarded', `csrf=${planted}`, { cookie: `idp.csrf=${planted}; idp.csrf.sig=AAAAAAAAAAAAAAAAAAAAAAAAAAA` });
    assert.equal(forged.status, 403);
    assert.match(await forged.text(), /This form has expired/);
    // a real signature of another value does not carry over to the planted one
    const real = await formPage();
    const sig = real.cookie.split('; ').find((c) => c.startsWith('idp.csrf.sig=')) ?? '';
    assert.equal((await post('/guarded', `csrf=${planted}`, { cookie: `idp.csrf=${planted}; ${sig}` })).status, 403);
  });

  it('a planted, unsigned CSRF cookie is not taken up by the form page: the page issues a fresh signed one', async () => {
    const planted = 'planted-token-value-0123456789abcdefghijk';
    const page = await formPage({ cookie: `idp.csrf=${planted}` });
    assert.notEqual(page.token, planted);
    assert.ok(page.setCookies.some((c) => c.startsWith('idp.csrf=') && !c.startsWith(`idp.csrf=${planted}`)));
    assert.equal((await post('/guarded', `csrf=${page.token}`, { cookie: page.cookie })).status, 200);
  });

  it('a missing, different or differently long token is refused', async () => {
    const { token, cookie } = await formPage();
    assert.equal((await post('/guarded', 'x=1', { cookie })).status, 403);
    assert.equal((await post('/guarded', 'csrf=', { cookie })).status, 403);
    const other = (token[0] === 'A' ? 'B' : 'A') + token.slice(1);
    assert.equal((await post('/guarded', `csrf=${other}`, { cookie })).status, 403);
    assert.equal((await post('/guarded', `csrf=${token}x`, { cookie })).status, 403);
    assert.equal((await post('/guarded', `csrf=${token.slice(1)}`, { cookie })).status, 403);
    assert.equal((await post('/guarded', `csrf=${token}`)).status, 403, 'no cookie at all');
  });

  it('a body of exactly 16 KiB is read; one byte more is refused with 413', async () => {
    const filler = (n: number) => `x=${'a'.repeat(n - 2)}`;
    const ok = await post('/open', filler(LIMIT));
    assert.equal(ok.status, 200);
    assert.equal(((await ok.json()) as { x: string }).x.length, LIMIT - 2);
    const tooLarge = await post('/open', filler(LIMIT + 1));
    assert.equal(tooLarge.status, 413);
    assert.equal(await tooLarge.text(), 'The form was too large.');
  });

  it('a body larger than 16 KiB sent in many chunks is refused too (the limit counts all of it)', async () => {
    const chunk = new TextEncoder().encode('y'.repeat(1024));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 17; i++) controller.enqueue(chunk);
        controller.close();
      },
    });
    const res = await fetch(`${base}/open`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body, duplex: 'half' } as RequestInit);
    assert.equal(res.status, 413);
  });

  it('a body that is not a form is refused with 415', async () => {
    const res = await fetch(`${base}/open`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"x":1}' });
    assert.equal(res.status, 415);
    assert.equal(await res.text(), 'The form was not sent as a form.');
  });
});
