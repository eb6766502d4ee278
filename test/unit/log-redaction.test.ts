// Redaction by field path is the logger's second line of defence: whatever a caller
// passes by mistake under a secret's name never reaches the line.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createLogger, SECRET_FIELDS } from '../../src/ops/log.js';

it('every secret field is redacted at the top level, one and two levels down', () => {
  const lines: string[] = [];
  const logger = createLogger('debug', (l) => lines.push(l));
  for (const field of SECRET_FIELDS) {
    const value = `secret-value-of-${field}`;
    logger.log('info', 'test', { [field]: value, headers: { [field]: value }, req: { headers: { [field]: value } } });
  }
  logger.log('info', 'test', { headers: { authorization: 'Bearer abc.def.ghi', cookie: '_session=xyz' }, body: { client_secret: 's3cret', client_assertion: 'eyJ...', password: 'pw', request: 'eyJhbGc', dpop: 'eyJ0eXAi' } });
  assert.equal(lines.length, SECRET_FIELDS.length + 1);
  for (const line of lines) {
    assert.doesNotMatch(line, /secret-value-of|abc\.def|_session=|s3cret|"pw"|eyJ/, line);
    assert.match(line, /\[redacted\]/);
  }
});

it('the level from LOG_LEVEL filters; lines below it are not written', () => {
  const lines: string[] = [];
  const logger = createLogger('warn', (l) => lines.push(l));
  logger.log('info', 'quiet');
  logger.log('warn', 'loud', { n: 1 });
  assert.equal(lines.length, 1);
  assert.deepEqual({ ...JSON.parse(lines[0] ?? '{}'), time: 't' }, { level: 'warn', time: 't', event: 'loud', n: 1 });
});
