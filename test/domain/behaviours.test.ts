import { describe, expect, it } from 'vitest';
import { BEHAVIOUR_RELATIONSHIP, EVENT_TYPES } from '../../src/domain/behaviours.js';
import { eventSchema, validateRecord } from '../../src/ingest/records.js';

describe('shop behaviours', () => {
  it('gives every event type its own aggregate relationship type', () => {
    const relationships = EVENT_TYPES.map((type) => BEHAVIOUR_RELATIONSHIP[type]);
    expect(new Set(relationships).size).toBe(EVENT_TYPES.length);
    for (const relationship of relationships) expect(relationship).toMatch(/^[A-Z][A-Z_]*$/);
  });

  it('is the vocabulary event validation accepts and names in its errors', () => {
    const event = { userId: 'u1', productId: 'p1', timestamp: '2024-05-01T10:00:00Z' };
    for (const type of EVENT_TYPES) expect(validateRecord(eventSchema, { ...event, type }).ok).toBe(true);
    const refused = validateRecord(eventSchema, { ...event, type: 'wishlist' });
    expect(refused.ok ? [] : refused.problems).toEqual([{ field: 'type', reason: `expected one of ${EVENT_TYPES.join(', ')}, got "wishlist"` }]);
  });
});
