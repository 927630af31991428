import fc from 'fast-check';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  validateBrand,
  validateCategory,
  validateEvents,
  validateId,
  validateProduct,
  validateRelation,
  validateRetraining,
  validateRule,
  type EventInput,
  type GraphQLEventType,
  type ProductInput,
} from '../../src/api/inputs.js';
import { PRICE_RANGE, QUANTITY_RANGE, WEIGHT_RANGE } from '../../src/ingest/records.js';

/**
 * Property-based checks of the GraphQL input validators: whatever a client sends, a validated value or a
 * BAD_USER_INPUT error naming the field, never another failure.
 */

const NOW = Date.UTC(2026, 5, 1, 12);
const SKEW_SECONDS = 300;
const RELATION_TYPES = ['COMPLEMENTS', 'SUBSTITUTES', 'ACCESSORY_OF'];
const RUNS = { numRuns: 300, seed: 20_260_601 } as const;
const EVENT_TYPES: GraphQLEventType[] = ['VIEW', 'CLICK', 'ADD_TO_CART', 'PURCHASE'];

/** The field a validator refused, or null when it accepted; anything other than a BAD_USER_INPUT error fails the test. */
function refusedField(validate: () => unknown): string | null {
  try {
    validate();
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(GraphQLError);
    const { code, field } = (error as GraphQLError).extensions;
    expect(code).toBe('BAD_USER_INPUT');
    expect(field).toBeTypeOf('string');
    expect((error as GraphQLError).message.startsWith(`${String(field)}: `)).toBe(true);
    return field as string;
  }
}

/** What GraphQL hands a resolver for a String or an ID: any text, the awkward ones more often. */
const anyText = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('', ' ', '\u001b[2J', '1e308', '2099-01-01T00:00:00Z', 'x'.repeat(300)));
const idText = fc.string({ minLength: 1, maxLength: 20 }).filter((value) => value.trim() !== '');
/** What GraphQL hands a resolver for an Int or a Float (it never passes NaN or infinities). */
const anyInt = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const anyFloat = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(1e308, -1e308, Number.MIN_VALUE, -0));
const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: null });

const anyEvent: fc.Arbitrary<EventInput> = fc.record(
  {
    id: maybe(anyText),
    userId: anyText,
    productId: anyText,
    type: fc.oneof(fc.constantFrom(...EVENT_TYPES), fc.string()) as fc.Arbitrary<GraphQLEventType>,
    timestamp: maybe(fc.oneof(anyText, fc.integer({ min: 0, max: Date.UTC(2200, 0, 1) }).map(String))),
    quantity: maybe(anyInt),
  },
  { requiredKeys: ['userId', 'productId', 'type'] },
);

const validEvent: fc.Arbitrary<EventInput> = fc.record(
  {
    id: maybe(idText),
    userId: idText,
    productId: idText,
    type: fc.constantFrom(...EVENT_TYPES),
    timestamp: maybe(fc.integer({ min: Date.UTC(1990, 0, 1), max: NOW }).map((ms) => new Date(ms).toISOString())),
    quantity: maybe(fc.integer(QUANTITY_RANGE)),
  },
  { requiredKeys: ['userId', 'productId', 'type'] },
);

const anyProduct: fc.Arbitrary<ProductInput> = fc.record(
  {
    id: anyText,
    title: anyText,
    description: maybe(anyText),
    categoryId: maybe(anyText),
    brandId: maybe(anyText),
    price: maybe(anyFloat),
    currency: maybe(anyText),
    inStock: maybe(fc.boolean()),
  },
  { requiredKeys: ['id', 'title'] },
);

describe('recordEvents input', () => {
  it('is validated or refused naming an event field, whatever it holds', () => {
    fc.assert(
      fc.property(fc.array(anyEvent, { maxLength: 5 }), (events) => {
        const field = refusedField(() => validateEvents(events, NOW, SKEW_SECONDS));
        if (field !== null) expect(field).toMatch(/^events\[\d+\]\.(id|userId|productId|type|timestamp|quantity)$/);
      }),
      RUNS,
    );
  });

  it('accepts valid events and validates its own output to the same records', () => {
    fc.assert(
      fc.property(fc.array(validEvent, { minLength: 1, maxLength: 5 }), (events) => {
        const first = validateEvents(events, NOW, SKEW_SECONDS);
        const again = first.records.map((record) => ({ ...record, type: record.type.toUpperCase() as GraphQLEventType, timestamp: String(record.timestamp) }));
        expect(validateEvents(again, NOW, SKEW_SECONDS).records).toEqual(first.records);
      }),
      RUNS,
    );
  });

  it('always refuses a timestamp later than the clock plus the skew, naming that event', () => {
    const future = fc.integer({ min: NOW + SKEW_SECONDS * 1000 + 1, max: Date.UTC(2099, 11, 31) });
    fc.assert(
      fc.property(fc.array(validEvent, { maxLength: 4 }), validEvent, future, fc.boolean(), (before, event, ms, iso) => {
        const events = [...before, { ...event, timestamp: iso ? new Date(ms).toISOString() : String(ms) }];
        expect(refusedField(() => validateEvents(events, NOW, SKEW_SECONDS))).toBe(`events[${before.length}].timestamp`);
      }),
      RUNS,
    );
    expect(() => validateEvents([{ userId: 'u', productId: 'p', type: 'VIEW', timestamp: '2099-01-01T00:00:00Z' }], NOW, SKEW_SECONDS)).toThrow(
      "events[0].timestamp: 2099-01-01T00:00:00Z is later than the server's clock (+300 s allowed)",
    );
  });

  it('always refuses a quantity out of range, naming that event', () => {
    const badQuantity = fc.oneof(fc.integer({ min: -(2 ** 31), max: QUANTITY_RANGE.min - 1 }), fc.integer({ min: QUANTITY_RANGE.max + 1, max: 2 ** 31 - 1 }));
    fc.assert(
      fc.property(validEvent, badQuantity, (event, quantity) => {
        expect(refusedField(() => validateEvents([{ ...event, quantity }], NOW, SKEW_SECONDS))).toBe('events[0].quantity');
      }),
      RUNS,
    );
  });
});

describe('catalogue and merchandising inputs', () => {
  it('are validated or refused naming a field, whatever they hold', () => {
    fc.assert(
      fc.property(anyProduct, (input) => {
        const field = refusedField(() => validateProduct(input));
        if (field !== null) expect(field).toMatch(/^input\.(id|title|description|categoryId|brandId|price|currency|inStock)$/);
      }),
      RUNS,
    );
    fc.assert(
      fc.property(anyText, anyText, anyText, maybe(anyFloat), (from, to, type, weight) => {
        const field = refusedField(() => validateRelation({ from, to, type, weight }, RELATION_TYPES));
        if (field !== null) expect(['from', 'to', 'type', 'weight']).toContain(field);
      }),
      RUNS,
    );
    fc.assert(
      fc.property(anyText, maybe(anyText), maybe(anyText), (id, name, parentId) => {
        const field = refusedField(() => validateCategory({ id, name, parentId }));
        if (field !== null) expect(['input.id', 'input.name', 'input.parentId']).toContain(field);
      }),
      RUNS,
    );
    fc.assert(
      fc.property(anyText, anyText, (id, name) => {
        const field = refusedField(() => validateBrand({ id, name }));
        if (field !== null) expect(['input.id', 'input.name']).toContain(field);
      }),
      RUNS,
    );
    fc.assert(
      fc.property(anyText, (raw) => {
        const field = refusedField(() => validateId('productId', raw));
        if (field !== null) expect(field).toBe('productId');
      }),
      RUNS,
    );
  });

  it('refuse rules and retraining options out of range, naming the field', () => {
    const rule = fc.record({
      productId: anyText,
      categoryId: maybe(anyText),
      query: maybe(anyText),
      expiresAt: maybe(fc.integer({ min: 0, max: Date.UTC(2200, 0, 1) })),
      position: maybe(anyInt),
      factor: maybe(anyFloat),
    });
    fc.assert(
      fc.property(fc.constantFrom('pin', 'boost', 'bury') as fc.Arbitrary<'pin' | 'boost' | 'bury'>, rule, (action, args) => {
        const field = refusedField(() => validateRule(action, args, { maxPosition: 100, now: NOW }));
        if (field !== null) expect(['productId', 'categoryId', 'query', 'expiresAt', 'position', 'factor']).toContain(field);
      }),
      RUNS,
    );
    fc.assert(
      fc.property(fc.record({ epochs: maybe(anyInt), seed: maybe(anyInt), dimension: maybe(anyInt), warmStart: maybe(fc.boolean()) }), (options) => {
        const field = refusedField(() => validateRetraining(options));
        if (field !== null) expect(['options.epochs', 'options.seed', 'options.dimension']).toContain(field);
      }),
      RUNS,
    );
  });

  it('always refuse a weight or a price out of range', () => {
    const outside = (range: { min: number; max: number }) =>
      fc.oneof(fc.double({ max: range.min, maxExcluded: true, noNaN: true, noDefaultInfinity: true }).filter((value) => value < range.min), fc.double({ min: range.max, minExcluded: true, noNaN: true, noDefaultInfinity: true }));
    fc.assert(
      fc.property(outside(WEIGHT_RANGE), (weight) => {
        expect(refusedField(() => validateRelation({ from: 'a', to: 'b', type: 'COMPLEMENTS', weight }, RELATION_TYPES))).toBe('weight');
      }),
      RUNS,
    );
    fc.assert(
      fc.property(outside(PRICE_RANGE), (price) => {
        expect(refusedField(() => validateProduct({ id: 'p', title: 'A product', price }))).toBe('input.price');
      }),
      RUNS,
    );
  });
});
