// The route registry (src/web/routes.ts): the paths that reach our routes, and the paths
// whose errors become readable pages, come from the routers themselves — a route added to
// a module is reachable and (for people) answered with a page without editing a list.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Router from '@koa/router';
import Koa from 'koa';
import { silentLogger } from '../../src/ops/log.js';
import { pathPrefixOf, pathsOf, webLayer } from '../../src/web/routes.js';

function routers() {
  const pages = new Router({ prefix: '/interaction' });
  pages.get('/:uid', (ctx) => void (ctx.body = `page ${String(ctx.params.uid)}`));
  pages.post('/:uid/fail', () => {
    throw new Error('internal detail that must not reach a person');
  });
  const account = new Router({ prefix: '/account' });
  account.get('/', (ctx) => void (ctx.body = 'account'));
  const ops = new Router();
  ops.get('/healthz', (ctx) => void (ctx.body = 'ok'));
  ops.get('/opsfail', () => {
    throw new Error('ops failure');
  });
  return { pages, account, ops };
}

describe('route registry (web layer)', () => {
  it('a route\'s fixed path is its prefix up to the first parameter', () => {
    assert.equal(pathPrefixOf('/interaction/:uid/login'), '/interaction');
    assert.equal(pathPrefixOf('/account/'), '/account');
    assert.equal(pathPrefixOf('/healthz'), '/healthz');
    assert.equal(pathPrefixOf('/'), '/');
  });

  it('lists each router\'s paths once, the shortest covering the rest', () => {
    const { pages, account, ops } = routers();
    assert.deepEqual(pathsOf([pages, account, ops]).sort(), ['/account', '/healthz', '/interaction', '/opsfail']);
  });

  describe('over HTTP', () => {
    let url = '';
    let server: ReturnType<Koa['listen']>;
    before(async () => {
      const { pages, account, ops } = routers();
      const app = new Koa();
      const layer = webLayer([{ router: ops, forPeople: false }, { router: pages, forPeople: true }, { router: account, forPeople: true }], silentLogger);
      assert.deepEqual(layer.pagePaths.sort(), ['/account', '/interaction']);
      app.use(layer.handler);
      // The library answers its own endpoints (and 404 for the rest).
      app.use((ctx) => {
        if (ctx.path === '/token') ctx.body = `library ${ctx.path}`;
      });
      server = app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => server.close());

    it('declared routes are served; every other path goes to the library', async () => {
      assert.equal(await (await fetch(`${url}/interaction/abc`)).text(), 'page abc');
      assert.equal(await (await fetch(`${url}/account`)).text(), 'account');
      assert.equal(await (await fetch(`${url}/healthz`)).text(), 'ok');
      assert.equal(await (await fetch(`${url}/token`)).text(), 'library /token');
    });

    it('a page\'s error is a readable page without internals; an operations route\'s is not made a page', async () => {
      const page = await fetch(`${url}/interaction/abc/fail`, { method: 'POST' });
      assert.equal(page.status, 500);
      assert.match(page.headers.get('content-type') ?? '', /text\/html/);
      const html = await page.text();
      assert.match(html, /Something went wrong/);
      assert.doesNotMatch(html, /internal detail/);
      const ops = await fetch(`${url}/opsfail`);
      assert.equal(ops.status, 500);
      assert.doesNotMatch(ops.headers.get('content-type') ?? '', /text\/html/);
    });

    it('a wrong method on a declared path is 405 with Allow', async () => {
      const res = await fetch(`${url}/healthz`, { method: 'DELETE' });
      assert.equal(res.status, 405);
      assert.match(res.headers.get('allow') ?? '', /GET/);
    });
  });
});
