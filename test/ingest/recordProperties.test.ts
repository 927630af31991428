import fc from 'fast-check';
import type { z } from 'zod';
import { describe, expect, it } from 'vitest';
import {
  brandSchema,
  categorySchema,
  eventSchemaFor,
  KINDS,
  PRICE_RANGE,
  productSchemaFor,
  QUANTITY_RANGE,
  RECORD_FIELDS,
  relationSchema,
  userSchema,
  validateRecord,
  WEIGHT_RANGE,
  type ClockLimit,
  type Kind,
} from '../../src/ingest/records.js';

/** Property-based checks of every record kind's validator: whatever arrives, a record or field-named problems. */

const NOW = Date.UTC(2026, 5, 1, 12);
const CLOCK: ClockLimit = { now: NOW, maxClockSkewSeconds: 300 };
const RELATION_TYPES = ['COMPLEMENTS', 'SUBSTITUTES'];
const SCHEMAS: Record<Kind, z.ZodType> = {
  categories: categorySchema,
  brands: brandSchema,
  products: productSchemaFor(CLOCK),
  users: userSchema,
  events: eventSchemaFor(CLOCK),
  relations: relationSchema(RELATION_TYPES),
};
const RUNS = { numRuns: 300, seed: 20_260_601 } as const;

/** Any value at all, including those JSON never produces (BigInt, objects without a prototype, -0, NaN). */
const anyValue = fc.anything({ withBigInt: true, withNullPrototype: true, withBoxedValues: true, withSparseArray: true, withTypedArray: true });
/** What a CSV cell or a JSON field may hold, with the numbers that hurt: huge, tiny, negative, not finite. */
const fieldValue = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.double(),
  fc.integer(),
  fc.constantFrom(1e308, -1e308, Number.MAX_VALUE, Number.MIN_VALUE, Number.NaN, Infinity, -0, '1e308', ' 12 ', '\u001b[31m'),
  fc.boolean(),
  fc.constant(null),
  anyValue,
);
/** A record of `kind` with any subset of its fields (and some stray ones), each holding anything. */
const looseRecord = (kind: Kind) =>
  fc.dictionary(fc.oneof(fc.constantFrom(...RECORD_FIELDS[kind].all), fc.string()), fieldValue, { maxKeys: 10 });

/** The result is a record, or problems that each name a field of the kind (or the record) and say why. */
function expectRecordOrProblems(kind: Kind, raw: unknown): void {
  const result = validateRecord(SCHEMAS[kind], raw);
  if (result.ok) {
    expect(result.value).toBeTypeOf('object');
    return;
  }
  expect(result.problems.length).toBeGreaterThan(0);
  for (const problem of result.problems) {
    // A list element or an object member is named under its field: attributes[2].key.
    expect([...RECORD_FIELDS[kind].all, '(record)']).toContain(problem.field.split(/[.[]/)[0]);
    expect(problem.reason.length).toBeGreaterThan(0);
  }
}

const problemFields = (kind: Kind, raw: unknown): string[] => {
  const result = validateRecord(SCHEMAS[kind], raw);
  return result.ok ? [] : result.problems.map((problem) => problem.field);
};

const text = fc.string({ minLength: 1, maxLength: 40 }).filter((value) => value.trim() !== '');
const pastTime = fc.integer({ min: Date.UTC(1990, 0, 1), max: NOW });

/** Generators of valid records, as a file would give them. */
const validRecords: Record<Kind, fc.Arbitrary<Record<string, unknown>>> = {
  categories: fc.record({ id: text, name: text, parentId: fc.option(text, { nil: undefined }) }, { requiredKeys: ['id', 'name'] }),
  brands: fc.record({ id: text, name: text }),
  users: fc.record({ id: text }),
  products: fc.record(
    {
      id: text,
      title: text,
      description: text,
      categoryId: text,
      brandId: text,
      price: fc.double({ min: PRICE_RANGE.min, max: PRICE_RANGE.max, noNaN: true }),
      currency: fc.constantFrom('EUR', 'usd', 'Gbp'),
      inStock: fc.boolean(),
      createdAt: pastTime,
    },
    { requiredKeys: ['id', 'title'] },
  ),
  events: fc.record(
    {
      id: text,
      userId: text,
      productId: text,
      type: fc.constantFrom('view', 'click', 'add_to_cart', 'purchase', 'Add-To-Cart'),
      timestamp: fc.oneof(pastTime, pastTime.map((ms) => new Date(ms).toISOString())),
      quantity: fc.integer(QUANTITY_RANGE),
    },
    { requiredKeys: ['userId', 'productId', 'type', 'timestamp'] },
  ),
  relations: fc.record(
    { from: text, to: text, type: fc.constantFrom(...RELATION_TYPES, 'complements'), weight: fc.double({ min: WEIGHT_RANGE.min, max: WEIGHT_RANGE.max, noNaN: true }) },
    { requiredKeys: ['from', 'to', 'type'] },
  ),
};

describe.each(KINDS)('the %s validator', (kind) => {
  it('never throws on anything: it returns a record or problems naming its fields', () => {
    fc.assert(fc.property(anyValue, (raw) => expectRecordOrProblems(kind, raw)), RUNS);
    fc.assert(fc.property(looseRecord(kind), (raw) => expectRecordOrProblems(kind, raw)), RUNS);
  });

  it('accepts valid records, and its output validates to itself', () => {
    fc.assert(
      fc.property(validRecords[kind], (raw) => {
        const first = validateRecord(SCHEMAS[kind], raw);
        expect(first.ok ? [] : first.problems).toEqual([]);
        if (!first.ok) return;
        expect(validateRecord(SCHEMAS[kind], first.value)).toEqual(first);
      }),
      RUNS,
    );
  });
});

describe('numbers out of range', () => {
  it('are always refused, naming the field: quantities, weights and prices', () => {
    const badQuantity = fc.oneof(fc.integer({ max: QUANTITY_RANGE.min - 1 }), fc.integer({ min: QUANTITY_RANGE.max + 1 }), fc.double({ min: 1.000001, max: 9_999.999, noInteger: true }));
    fc.assert(
      fc.property(validRecords.events, badQuantity, fc.boolean(), (event, quantity, asText) => {
        expect(problemFields('events', { ...event, quantity: asText ? String(quantity) : quantity })).toEqual(['quantity']);
      }),
      RUNS,
    );
    const outside = (range: { min: number; max: number }) =>
      fc.oneof(fc.double({ max: range.min, maxExcluded: true, noNaN: true }).filter((value) => value < range.min), fc.double({ min: range.max, minExcluded: true, noNaN: true }), fc.constant(Number.NaN));
    fc.assert(
      fc.property(validRecords.relations, outside(WEIGHT_RANGE), (relation, weight) => {
        expect(problemFields('relations', { ...relation, weight })).toEqual(['weight']);
      }),
      RUNS,
    );
    fc.assert(
      fc.property(validRecords.products, outside(PRICE_RANGE), (product, price) => {
        expect(problemFields('products', { ...product, price })).toEqual(['price']);
      }),
      RUNS,
    );
  });

  it('name the range they must be in', () => {
    expect(validateRecord(SCHEMAS.relations, { from: 'a', to: 'b', type: 'COMPLEMENTS', weight: 1e308 })).toEqual({
      ok: false,
      problems: [{ field: 'weight', reason: 'expected a number from 0 to 1,000, got 1e+308' }],
    });
    expect(validateRecord(SCHEMAS.events, { userId: 'u', productId: 'p', type: 'view', timestamp: NOW, quantity: 10_001 })).toEqual({
      ok: false,
      problems: [{ field: 'quantity', reason: 'expected a whole number from 1 to 10,000, got 10001' }],
    });
  });
});

describe('times later than the clock', () => {
  const skewMs = CLOCK.maxClockSkewSeconds * 1000;
  const futureTime = fc.integer({ min: NOW + skewMs + 1, max: Date.UTC(2100, 0, 1) });

  it('are always refused, naming the field, however they are written', () => {
    fc.assert(
      fc.property(validRecords.events, futureTime, fc.constantFrom('number', 'digits', 'iso'), (event, ms, form) => {
        const timestamp = form === 'number' ? ms : form === 'digits' ? String(ms) : new Date(ms).toISOString();
        const result = validateRecord(SCHEMAS.events, { ...event, timestamp });
        expect(result.ok ? [] : result.problems).toEqual([{ field: 'timestamp', reason: expect.stringMatching(/is later than the server's clock \(\+300 s allowed\)$/) }]);
      }),
      RUNS,
    );
    fc.assert(
      fc.property(validRecords.products, futureTime, (product, createdAt) => {
        expect(problemFields('products', { ...product, createdAt })).toEqual(['createdAt']);
      }),
      RUNS,
    );
  });

  it('are accepted up to the allowed skew', () => {
    fc.assert(
      fc.property(validRecords.events, fc.integer({ min: NOW, max: NOW + skewMs }), (event, timestamp) => {
        expect(problemFields('events', { ...event, timestamp })).toEqual([]);
      }),
      RUNS,
    );
  });

  it('say what the time was and how much skew is allowed', () => {
    expect(validateRecord(SCHEMAS.events, { userId: 'u', productId: 'p', type: 'view', timestamp: '2099-01-01T00:00:00Z' })).toEqual({
      ok: false,
      problems: [{ field: 'timestamp', reason: "2099-01-01T00:00:00Z is later than the server's clock (+300 s allowed)" }],
    });
  });
});
