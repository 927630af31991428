import { describe, expect, it } from 'vitest';
import {
  eventId,
  eventSchema,
  parseTimestamp,
  productSchema,
  relationSchema,
  validateRecord,
} from '../../src/ingest/records.js';

const problemsOf = (result: ReturnType<typeof validateRecord>) => (result.ok ? [] : result.problems);

describe('record validation', () => {
  it('cleans text: trims, collapses whitespace, treats empty cells as absent', () => {
    const result = validateRecord(productSchema, { id: ' p1 ', title: '  Red \t  shoe\n', description: '', price: '12.50', inStock: 'no' });
    expect(result).toEqual({
      ok: true,
      value: expect.objectContaining({ id: 'p1', title: 'Red shoe', description: undefined, price: 12.5, inStock: false }),
    });
  });

  it('names the field and what was wrong', () => {
    const result = validateRecord(productSchema, { id: 'p1', price: '-3', currency: 'euro' });
    expect(problemsOf(result)).toEqual([
      { field: 'title', reason: 'required' },
      { field: 'price', reason: 'expected a number from 0 to 1,000,000,000,000, got "-3"' },
      { field: 'currency', reason: 'expected a three-letter ISO 4217 code such as EUR, got "euro"' },
    ]);
  });

  it('accepts ISO-8601 and epoch milliseconds, refuses anything else', () => {
    expect(parseTimestamp('2026-03-01T10:00:00Z')).toBe(Date.UTC(2026, 2, 1, 10));
    expect(parseTimestamp('2026-03-01')).toBe(Date.UTC(2026, 2, 1));
    expect(parseTimestamp(1767225600000)).toBe(1767225600000);
    expect(parseTimestamp('1767225600000')).toBe(1767225600000);
    expect(parseTimestamp('yesterday')).toBeUndefined();
    expect(parseTimestamp(1767225600)).toBeUndefined(); // seconds, not milliseconds
    const result = validateRecord(eventSchema, { userId: 'u1', productId: 'p1', type: 'view', timestamp: 'yesterday' });
    expect(problemsOf(result)).toEqual([{ field: 'timestamp', reason: 'expected ISO-8601 or epoch milliseconds, got "yesterday"' }]);
  });

  it('normalises event types and gives events without an id a stable one', () => {
    const raw = { userId: 'u1', productId: 'p1', type: 'Add-To-Cart', timestamp: '2026-01-01T00:00:00Z' };
    const first = validateRecord(eventSchema, raw);
    const second = validateRecord(eventSchema, { ...raw });
    expect(first.ok && first.value.type).toBe('add_to_cart');
    expect(first.ok && first.value.id).toBe(second.ok && second.value.id);
    expect(first.ok && first.value.id).toBe(eventId({ userId: 'u1', productId: 'p1', type: 'add_to_cart', timestamp: Date.UTC(2026, 0, 1) }));
    expect(problemsOf(validateRecord(eventSchema, { ...raw, type: 'like' }))).toEqual([
      { field: 'type', reason: 'expected one of view, click, add_to_cart, purchase, impression, hide, got "like"' },
    ]);
  });

  it('accepts only configured relation types', () => {
    const schema = relationSchema(['COMPLEMENTS', 'SUBSTITUTES']);
    expect(validateRecord(schema, { from: 'a', to: 'b', type: 'complements' })).toEqual({
      ok: true,
      value: { from: 'a', to: 'b', type: 'COMPLEMENTS', weight: 1 },
    });
    expect(problemsOf(validateRecord(schema, { from: 'a', to: 'b', type: 'ACCESSORY_OF' }))).toEqual([
      { field: 'type', reason: 'expected one of COMPLEMENTS, SUBSTITUTES, got "ACCESSORY_OF"' },
    ]);
  });
});
