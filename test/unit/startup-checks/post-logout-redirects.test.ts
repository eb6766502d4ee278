// EP-11: an http post_logout_redirect_uri (other than loopback) is refused in production,
// in the file at start-up and at /register (the same check: src/policy/clients.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkClient } from '../../../src/policy/clients.js';
import { clientCheckContext } from '../../../src/policy/deployment.js';
import { web } from '../../helpers/clients.js';
import { configFrom } from '../../helpers/idp.js';
import { productionRaw, startupVerdict } from '../../helpers/startup.js';

const withLogout = (uri: string) => ({ ...web.metadata, post_logout_redirect_uris: [uri] });

describe('start-up and /register: http post-logout redirect URIs (EP-11)', () => {
  it('EP-11: production refuses http://rp.example/bye in the file', async () => {
    const verdict = await startupVerdict(productionRaw({ clients: [withLogout('http://rp.example/bye')] }));
    assert.deepEqual(verdict.problems.map((p) => [p.field, p.rule]), [['clients[0].post_logout_redirect_uris[0]', 'EP-11']]);
  });

  it('EP-11: https and loopback http are accepted', async () => {
    const verdict = await startupVerdict(productionRaw({ clients: [{ ...web.metadata, post_logout_redirect_uris: ['https://rp.example/bye', 'http://127.0.0.1:8080/bye'] }] }));
    assert.deepEqual(verdict.problems, []);
  });

  it('EP-11: the check /register runs refuses it too in production', () => {
    const context = clientCheckContext(configFrom(productionRaw()));
    const problems = checkClient(withLogout('http://rp.example/bye'), context);
    assert.deepEqual(problems.map((p) => [p.field, p.rule]), [['post_logout_redirect_uris[0]', 'EP-11']]);
  });
});
