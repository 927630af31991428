import { describe, expect, it } from 'vitest';
import { AGGREGATE_RELATIONSHIPS, BEHAVIOUR_RELATIONSHIP, EVENT_TYPES } from '../../src/domain/behaviours.js';
import { eventSchema, validateRecord } from '../../src/ingest/records.js';

describe('shop behaviours', () => {
  it('gives every aggregated event type its own aggregate relationship type, and impressions none', () => {
    const aggregated = EVENT_TYPES.filter((type) => type !== 'impression');
    const relationships = aggregated.map((type) => BEHAVIOUR_RELATIONSHIP[type]);
    expect(new Set(relationships).size).toBe(aggregated.length);
    for (const relationship of relationships) expect(relationship).toMatch(/^[A-Z][A-Z_]*$/);
    expect(BEHAVIOUR_RELATIONSHIP.impression).toBeUndefined();
    expect(AGGREGATE_RELATIONSHIPS).toEqual(relationships);
  });

  it('is the vocabulary event validation accepts and names in its errors', () => {
    const event = { userId: 'u1', productId: 'p1', timestamp: '2024-05-01T10:00:00Z' };
    for (const type of EVENT_TYPES) expect(validateRecord(eventSchema, { ...event, type }).ok).toBe(true);
    const refused = validateRecord(eventSchema, { ...event, type: 'wishlist' });
    expect(refused.ok ? [] : refused.problems).toEqual([{ field: 'type', reason: `expected one of ${EVENT_TYPES.join(', ')}, got "wishlist"` }]);
  });
});
