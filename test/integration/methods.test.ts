// Issue 12, item 6: a method our own routes do not have is answered 405 with Allow (the
// path exists) or 404 (it does not) — never 501 Not Implemented, whatever the method.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startIdp, type RunningIdp } from '../helpers/idp.js';

/** A raw request (fetch refuses TRACE): status and Allow. */
function send(base: string, method: string, path: string): Promise<{ status: number; allow: string | undefined }> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, allow: res.headers.allow });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('unknown HTTP methods on our own routes (issue 12)', () => {
  let running: RunningIdp;
  before(async () => {
    running = await startIdp({ consent: { exportToken: 'x'.repeat(48) } });
  });
  after(() => running?.close());

  const existing = ['/healthz', '/readyz', '/docs', '/static/style.css', '/account/consents', '/interaction/some-uid', '/.well-known/smart-configuration', '/admin/consent-ledger'];
  const missing = ['/demo', '/static/nothing', '/account/nothing', '/admin/nothing', '/interaction'];

  for (const method of ['PROPFIND', 'SEARCH', 'TRACE', 'MKCOL', 'PUT']) {
    it(`${method}: 405 with Allow where the path exists, 404 where it does not, never 501`, async () => {
      for (const path of existing) {
        const { status, allow } = await send(running.url, method, path);
        assert.equal(status, 405, `${method} ${path}`);
        assert.ok(allow && /GET|POST/.test(allow), `${method} ${path}: Allow names the methods (${allow ?? ''})`);
        assert.ok(!allow.includes(method), `${method} ${path}: not allowed`);
      }
      for (const path of missing) {
        const { status } = await send(running.url, method, path);
        assert.ok(status === 404 || status === 405, `${method} ${path}: ${status}`);
      }
    });
  }
});
