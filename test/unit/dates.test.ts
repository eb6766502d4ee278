// The one date format of pages (src/web/dates.ts): a day in words, read in UTC.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dayOf } from '../../src/web/dates.js';

describe('dates on pages', () => {
  it('shows the day in words', () => {
    assert.equal(dayOf(new Date('2026-12-02T10:00:00Z')), '2 December 2026');
  });

  it('reads the day in UTC, whatever the server\'s time zone', () => {
    // Late on the 2nd in UTC is the 3rd in New Zealand and early on the 2nd in Hawaii.
    assert.equal(dayOf(new Date('2026-12-02T23:30:00Z')), '2 December 2026');
    assert.equal(dayOf(new Date('2026-12-02T00:30:00Z')), '2 December 2026');
  });
});
