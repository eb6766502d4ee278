// EP-11: what start-up tells an operator whose production file does not put every
// endpoint behind TLS (src/policy/executors/tls.ts): the field, the rule, and how to fix it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Config } from '../../src/config/load.js';
import { tls } from '../../src/policy/executors/tls.js';
import { configFrom, testRawConfig } from '../helpers/idp.js';

const production = (patch: Partial<Config>): Config => ({ ...configFrom(testRawConfig('http://localhost:3000')), mode: 'production', issuer: 'https://id.example.health', proxy: true, ...patch });

describe('EP-11 at start-up (executors/tls.ts)', () => {
  it('EP-11: an http issuer in production is refused, saying it must be https', () => {
    assert.deepEqual(tls.checkDeployment?.(production({ issuer: 'http://id.example.health' })), [
      { field: 'issuer', message: 'must be an https URL in production mode (TLS here or at a trusted proxy)', rule: 'EP-11' },
    ]);
  });

  it('EP-11: production with neither tls nor proxy is refused, naming both settings', () => {
    assert.deepEqual(tls.checkDeployment?.(production({ proxy: false, tls: undefined })), [
      { field: 'tls', message: 'production needs TLS: set tls (the IdP terminates it) or proxy = true (a TLS-terminating proxy in front)', rule: 'EP-11' },
    ]);
  });
});
