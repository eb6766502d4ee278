// Typos in client metadata (`redirect_uri` for `redirect_uris`) are refused as unknown
// fields instead of being dropped without a word.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { web } from '../../helpers/clients.js';
import { productionRaw, startupVerdict } from '../../helpers/startup.js';

describe('start-up: unknown client metadata', () => {
  it('redirect_uri (a typo for redirect_uris) is refused, naming the client and field', async () => {
    const { redirect_uris: _r, ...rest } = web.metadata;
    const verdict = await startupVerdict(productionRaw({ clients: [{ ...rest, redirect_uri: 'https://rp.example/cb', redirect_uris: ['https://rp.example/cb'] }] }));
    assert.deepEqual(verdict.problems.map((p) => p.field), ['clients[0].redirect_uri']);
    assert.match(verdict.text, /client "web": unknown client metadata/);
  });
});
