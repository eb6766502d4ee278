// Supported Node.js versions are stated once (package.json engines) and the README, the
// start-up warning and the Dockerfile agree with it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { MINIMUM_NODE, runtimeSupport } from '../../src/ops/runtime.js';

const read = (p: string) => readFileSync(new URL(`../../${p}`, import.meta.url), 'utf8');

it('engines, the start-up check, the README and the Docker image state the same minimum', () => {
  const pkg = JSON.parse(read('package.json')) as { engines: { node: string }; license: string };
  assert.equal(pkg.engines.node, `>=${MINIMUM_NODE}`);
  assert.equal(pkg.license, 'Apache-2.0');
  const [major, minor] = MINIMUM_NODE.split('.');
  assert.ok(read('README.md').includes(`Node.js ${major}.${minor} or later`), 'the README states the minimum');
  assert.match(read('Dockerfile'), /FROM node:22-/);
});

it('Node.js 20 is reported unsupported; 22.12 and later are supported', () => {
  assert.equal(runtimeSupport('v20.20.2'), 'unsupported');
  assert.equal(runtimeSupport('v22.11.0'), 'unsupported');
  assert.equal(runtimeSupport('v22.12.0'), 'supported');
  assert.equal(runtimeSupport('v24.1.0'), 'supported');
});

it('the licence is the Apache License 2.0, in full', () => {
  const licence = read('LICENSE');
  assert.match(licence, /Apache License\s+Version 2\.0, January 2004/);
  assert.match(licence, /END OF TERMS AND CONDITIONS/);
  assert.ok(licence.length > 9000);
});
