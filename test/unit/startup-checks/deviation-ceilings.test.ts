// TOK-3, TOK-4: a declared deviation raises a lifetime cap to a stated ceiling (config/guides/deployment.md:
// "Deviations"), never to infinity: a 365-day access token does not start.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { capsFor, DEVIATION_CEILINGS } from '../../../src/policy/executors/lifetimes.js';
import { productionRaw, startupVerdict } from '../../helpers/startup.js';

const deviation = (rule: string) => ({ rule, setting: 'lifetimes', reason: 'a legacy API that cannot refresh yet' });

describe('start-up: deviation ceilings (TOK-3, TOK-4)', () => {
  it('TOK-3: a 365-day access token is refused even with a TOK-3 deviation', async () => {
    const verdict = await startupVerdict(productionRaw({ lifetimes: { accessToken: 365 * 86400 }, deviations: [deviation('TOK-3')] }));
    assert.deepEqual(verdict.problems.map((p) => [p.field, p.rule]), [['lifetimes.accessToken', 'TOK-3']]);
    assert.match(verdict.text, /at most 86400 seconds even with a TOK-3 deviation/);
  });

  it('TOK-4: a refresh chain beyond 30 days is refused even with a TOK-4 deviation', async () => {
    const verdict = await startupVerdict(productionRaw({ lifetimes: { refreshToken: 31 * 86400 }, deviations: [deviation('TOK-4')] }));
    assert.deepEqual(verdict.problems.map((p) => [p.field, p.rule]), [['lifetimes.refreshToken', 'TOK-4']]);
  });

  it('TOK-3: with a deviation, 2 hours starts and the cap in force is 2 hours', async () => {
    const verdict = await startupVerdict(productionRaw({ lifetimes: { accessToken: 7200 }, deviations: [deviation('TOK-3')] }));
    assert.deepEqual(verdict.problems, []);
  });

  it('the caps in force never exceed the ceilings', () => {
    const caps = capsFor({ authorizationCode: 60, accessToken: 10 ** 9, refreshToken: 10 ** 9, idToken: 600, interaction: 600, session: 3600, grant: 86400, pushedAuthorizationRequest: 60 }, [deviation('TOK-3'), deviation('TOK-4')]);
    assert.deepEqual(caps, DEVIATION_CEILINGS);
  });
});
