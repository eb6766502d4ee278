// The memory store in production mode stops start-up unless the file declares a
// single-instance deployment; the compliance report then says so.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { complianceReport } from '../../../src/compliance/report.js';
import { checkDeployment } from '../../../src/policy/deployment.js';
import { configFrom, testRawConfig } from '../../helpers/idp.js';
import { productionRaw, startupVerdict } from '../../helpers/startup.js';

describe('start-up: the memory store in production', () => {
  it('is refused without store.singleInstance, naming the field', async () => {
    const verdict = await startupVerdict(productionRaw({ store: { type: 'memory' } }));
    assert.deepEqual(verdict.problems.map((p) => p.field), ['store.type']);
    assert.match(verdict.text, /store\.singleInstance/);
  });

  it('starts with store.singleInstance = true', async () => {
    assert.deepEqual((await startupVerdict(productionRaw({ store: { type: 'memory', singleInstance: true } }))).problems, []);
  });

  it('is fine in development mode', async () => {
    assert.deepEqual((await startupVerdict(testRawConfig('http://127.0.0.1:1'))).problems, []);
  });
});

describe('compliance report: the single-instance declaration', () => {
  it('is reported as a note', () => {
    const config = configFrom(productionRaw({ store: { type: 'memory', singleInstance: true } }));
    const report = complianceReport(config, checkDeployment(config));
    assert.ok(report.notes.some((n) => n.startsWith('store.singleInstance:')), report.notes.join('\n'));
  });
});
