import { createHash } from 'node:crypto';
import { z } from 'zod';
import { EVENT_TYPES, type EventType } from '../domain/behaviours.js';
import { DEFAULT_MAX_CLOCK_SKEW_SECONDS } from '../config.js';
import {
  ATTRIBUTE_KEY,
  ATTRIBUTE_KEY_DESCRIPTION,
  MAX_ATTRIBUTE_VALUE_LENGTH,
  MAX_ATTRIBUTES_PER_PRODUCT,
  type ProductAttribute,
} from '../domain/attributes.js';

/**
 * The record kinds kgrec ingests, validated once at the edge. Each field parser cleans its value (trimmed,
 * whitespace collapsed, CSV's empty cells treated as absent) and, when the value is wrong, says what it
 * expected and what it got: `timestamp: expected ISO-8601 or epoch milliseconds, got "yesterday"`.
 */

export const KINDS = ['categories', 'brands', 'products', 'users', 'events', 'relations'] as const;
export type Kind = (typeof KINDS)[number];

const MAX_ID_LENGTH = 256;
const MAX_TEXT_LENGTH = 20_000;
/** Timestamps outside 1990–2100 are almost always seconds mistaken for milliseconds, or garbage. */
const MIN_TIMESTAMP_MS = Date.UTC(1990, 0, 1);
const MAX_TIMESTAMP_MS = Date.UTC(2100, 0, 1);
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * The ranges of the numbers in records, in files and API inputs alike. A quantity is one order line's count:
 * 10,000 is far above any shop's basket and far below what would swamp an aggregate's sum. A weight scales the
 * merchandiser signal (the user's weight for a product times the relation's): negative would turn a relation
 * into a repulsion it does not mean; 1,000 leaves room for any scale a merchandiser uses (the default is 1)
 * while keeping those products far inside the single precision of the ranker's arrays, where 1e308 became
 * infinity. A price is in the currency's major unit: 10^12 holds any shop item in any currency, small-unit
 * ones included, with cents still exact in a double.
 */
export const QUANTITY_RANGE = { min: 1, max: 10_000 } as const;
export const WEIGHT_RANGE = { min: 0, max: 1_000 } as const;
export const PRICE_RANGE = { min: 0, max: 1e12 } as const;
/**
 * An event's place in the list it came from (1-based). Lists are at most `maxFirst` long (1,000 at the
 * most), so a larger position can only be a client's mistake.
 */
export const POSITION_RANGE = { min: 1, max: 1_000 } as const;
/** A served list's id as the API issues it (a UUID); any id up to this long, of URL-safe characters, is accepted. */
export const MAX_SERVED_ID_LENGTH = 64;
const SERVED_ID = /^[A-Za-z0-9_.:-]+$/;

/** The clock that record times are checked against. */
export interface ClockLimit {
  /** How far ahead of `now` a time may be. */
  maxClockSkewSeconds: number;
  /** The server's clock in epoch milliseconds; read at each check when absent (a long run's clock moves on). */
  now?: number | undefined;
}

export const DEFAULT_CLOCK: ClockLimit = { maxClockSkewSeconds: DEFAULT_MAX_CLOCK_SKEW_SECONDS };

const isoTime = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

/**
 * The one rule for times in records, in files and API inputs alike: none later than the server's clock plus
 * the allowed skew. Returns the reason when `ms` breaks it.
 */
export function futureTimeProblem(ms: number, clock: ClockLimit): string | undefined {
  const now = clock.now ?? Date.now();
  if (ms <= now + clock.maxClockSkewSeconds * 1000) return undefined;
  return `${isoTime(ms)} is later than the server's clock (+${clock.maxClockSkewSeconds} s allowed)`;
}

/**
 * A value as an error message shows it: JSON, so that control characters come out escaped (`\u001b`), cut to
 * 60 characters. Never throws, whatever it is given (a BigInt, an object without a prototype).
 */
export const show = (value: unknown): string => {
  let text: string | undefined;
  try {
    text = typeof value === 'bigint' ? `${value}n` : JSON.stringify(value);
  } catch {
    text = undefined;
  }
  if (text === undefined) text = typeof value === 'function' || typeof value === 'symbol' || typeof value === 'undefined' ? typeof value : '(unprintable)';
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

/** Trims and collapses runs of whitespace; empty strings become `undefined` (an empty CSV cell is an absent value). */
export function cleanText(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const cleaned = value.replace(/\s+/g, ' ').trim();
  return cleaned === '' ? undefined : cleaned;
}

const isAbsent = (value: unknown): boolean => value === undefined || value === null;

/**
 * Control characters left after whitespace is collapsed (ESC, NUL, BEL, C1): no id or text means them, and
 * stored they would reach every terminal and page that shows the value.
 */
// eslint-disable-next-line no-control-regex -- finding them is the point
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/** A name from a fixed list: only text (or a number, as CSV cells and loose JSON give them) is compared. */
const asWord = (value: unknown): string | undefined => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined);

/** Cleans a text field: `value` undefined when absent, else the text or the `problem` with it. */
function cleanedText(raw: unknown, maxLength: number): { value?: string; problem?: string } {
  const value = cleanText(typeof raw === 'number' ? String(raw) : raw);
  if (isAbsent(value)) return {};
  if (typeof value !== 'string') return { problem: `expected text, got ${show(raw)}` };
  if (value.length > maxLength) return { problem: `longer than ${maxLength} characters` };
  const control = CONTROL_CHARACTER.exec(value);
  if (control !== null) return { problem: `expected text without control characters, got ${show(control[0])} at character ${control.index + 1}` };
  return { value };
}

/** Cleans a text field; `undefined` when absent, a string when valid, else records the problem. */
function parseText(raw: unknown, maxLength: number, ctx: z.RefinementCtx): string | undefined | typeof z.NEVER {
  const { value, problem } = cleanedText(raw, maxLength);
  if (problem === undefined) return value;
  ctx.addIssue({ code: 'custom', message: problem });
  return z.NEVER;
}

function requiredText(maxLength: number) {
  return z.unknown().optional().transform((raw, ctx): string => {
    const value = parseText(raw, maxLength, ctx);
    if (value === undefined) ctx.addIssue({ code: 'custom', message: 'required' });
    return value ?? z.NEVER;
  });
}

function optionalText(maxLength: number) {
  return z.unknown().optional().transform((raw, ctx): string | undefined => parseText(raw, maxLength, ctx));
}

const id = () => requiredText(MAX_ID_LENGTH);

/** A served list's id: bounded and of URL-safe characters, since frontends echo it back in events. */
export const optionalServedId = () =>
  z.unknown().optional().transform((raw, ctx): string | undefined => {
    const value = cleanText(typeof raw === 'number' ? String(raw) : raw);
    if (isAbsent(value)) return undefined;
    if (typeof value === 'string' && value.length <= MAX_SERVED_ID_LENGTH && SERVED_ID.test(value)) return value;
    ctx.addIssue({ code: 'custom', message: `expected a served list id (at most ${MAX_SERVED_ID_LENGTH} letters, digits or _.:-), got ${show(raw)}` });
    return z.NEVER;
  });
const optionalId = () => optionalText(MAX_ID_LENGTH);

/** A number in `range`, or nothing; anything else is refused, naming the range. */
function optionalNumberIn(range: { min: number; max: number }, whole: boolean) {
  const description = `${whole ? 'a whole number' : 'a number'} from ${range.min.toLocaleString('en-US')} to ${range.max.toLocaleString('en-US')}`;
  return optionalNumber(description, (n) => n >= range.min && n <= range.max && (!whole || Number.isInteger(n)));
}

function optionalNumber(description: string, accept: (n: number) => boolean) {
  return z.unknown().optional().transform((raw, ctx): number | undefined => {
    const value = cleanText(raw);
    if (isAbsent(value)) return undefined;
    const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
    if (!Number.isFinite(number) || !accept(number)) {
      ctx.addIssue({ code: 'custom', message: `expected ${description}, got ${show(raw)}` });
      return z.NEVER;
    }
    return number;
  });
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'y']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'n']);

const optionalBoolean = () =>
  z.unknown().optional().transform((raw, ctx): boolean | undefined => {
    const value = cleanText(raw);
    if (isAbsent(value)) return undefined;
    if (typeof value === 'boolean') return value;
    const word = asWord(value)?.toLowerCase() ?? '';
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
    ctx.addIssue({ code: 'custom', message: `expected true or false, got ${show(raw)}` });
    return z.NEVER;
  });

/** Parses ISO-8601 text or epoch milliseconds (number or digits) into epoch milliseconds. */
export function parseTimestamp(raw: unknown): number | undefined {
  const value = cleanText(raw);
  let ms: number | undefined;
  if (typeof value === 'number') ms = value;
  else if (typeof value === 'string' && /^\d+$/.test(value)) ms = Number(value);
  else if (typeof value === 'string' && ISO_8601.test(value)) ms = Date.parse(value.replace(' ', 'T'));
  if (ms === undefined || !Number.isInteger(ms) || ms < MIN_TIMESTAMP_MS || ms > MAX_TIMESTAMP_MS) return undefined;
  return ms;
}

function parseTimestampField(raw: unknown, clock: ClockLimit, ctx: z.RefinementCtx): number | undefined {
  const ms = parseTimestamp(raw);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected ISO-8601 or epoch milliseconds, got ${show(raw)}` });
    return undefined;
  }
  const future = futureTimeProblem(ms, clock);
  if (future === undefined) return ms;
  ctx.addIssue({ code: 'custom', message: future });
  return undefined;
}

const requiredTimestamp = (clock: ClockLimit) =>
  z.unknown().optional().transform((raw, ctx): number => {
    if (isAbsent(cleanText(raw))) {
      ctx.addIssue({ code: 'custom', message: 'required' });
      return z.NEVER;
    }
    return parseTimestampField(raw, clock, ctx) ?? z.NEVER;
  });

const optionalTimestamp = (clock: ClockLimit) =>
  z.unknown().optional().transform((raw, ctx): number | undefined => (isAbsent(cleanText(raw)) ? undefined : (parseTimestampField(raw, clock, ctx) ?? z.NEVER)));

const eventType = z.unknown().optional().transform((raw, ctx): EventType => {
  const value = cleanText(raw);
  if (isAbsent(value)) {
    ctx.addIssue({ code: 'custom', message: 'required' });
    return z.NEVER;
  }
  const normalised = asWord(value)?.toLowerCase().replace(/[- ]/g, '_').replace(/^addtocart$/, 'add_to_cart');
  if (normalised !== undefined && (EVENT_TYPES as readonly string[]).includes(normalised)) return normalised as EventType;
  ctx.addIssue({ code: 'custom', message: `expected one of ${EVENT_TYPES.join(', ')}, got ${show(raw)}` });
  return z.NEVER;
});

const relationType = (allowed: readonly string[]) =>
  z.unknown().optional().transform((raw, ctx): string => {
    const value = cleanText(raw);
    if (isAbsent(value)) {
      ctx.addIssue({ code: 'custom', message: 'required' });
      return z.NEVER;
    }
    const normalised = asWord(value)?.toUpperCase().replace(/[- ]/g, '_');
    if (normalised !== undefined && allowed.includes(normalised)) return normalised;
    ctx.addIssue({ code: 'custom', message: `expected one of ${allowed.join(', ')}, got ${show(raw)}` });
    return z.NEVER;
  });

/** One raw attribute pair and the path under `attributes` that errors name (`attributes[2].key`). */
interface RawAttribute {
  key: unknown;
  value: unknown;
  path: Array<string | number>;
}

/**
 * The forms attributes come in: a list of `{key, value}` (JSON Lines, GraphQL), an object of key to value or
 * list of values (JSON Lines), or `key=value; key=value` text (a CSV cell; values there cannot hold `;`).
 */
function rawAttributes(raw: unknown, ctx: z.RefinementCtx): RawAttribute[] | undefined {
  if (Array.isArray(raw)) {
    return raw.map((entry: unknown, index) => {
      const pair = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : { key: entry, value: undefined };
      return { key: pair.key, value: pair.value, path: [index] };
    });
  }
  if (typeof raw === 'string') {
    return raw
      .split(';')
      .map((part) => part.trim())
      .filter((part) => part !== '')
      .map((part, index) => {
        const at = part.indexOf('=');
        return at < 0 ? { key: part, value: undefined, path: [index] } : { key: part.slice(0, at).trim(), value: part.slice(at + 1), path: [index] };
      });
  }
  if (typeof raw === 'object' && raw !== null) {
    return Object.entries(raw).flatMap(([key, values]) =>
      (Array.isArray(values) ? values : [values]).map((value: unknown, index) => ({ key, value, path: Array.isArray(values) ? [key, index] : [key] })),
    );
  }
  ctx.addIssue({ code: 'custom', message: `expected a list of {key, value}, an object of key to values, or "key=value; key=value", got ${show(raw)}` });
  return undefined;
}

/** Checks one pair; records the problem under its path when it is wrong. */
function checkedAttribute(pair: RawAttribute, ctx: z.RefinementCtx): ProductAttribute | undefined {
  const key = typeof pair.key === 'string' ? pair.key.trim() : pair.key;
  if (typeof key !== 'string' || !ATTRIBUTE_KEY.test(key)) {
    ctx.addIssue({ code: 'custom', path: [...pair.path, 'key'], message: `expected ${ATTRIBUTE_KEY_DESCRIPTION}, got ${show(pair.key)}` });
    return undefined;
  }
  const { value, problem } = cleanedText(pair.value, MAX_ATTRIBUTE_VALUE_LENGTH);
  if (value === undefined) {
    ctx.addIssue({ code: 'custom', path: [...pair.path, 'value'], message: `${key}: ${problem ?? 'required'}` });
    return undefined;
  }
  return { key, value };
}

/**
 * A product's attributes: absent leaves the stored ones as they are, a list (even empty) replaces them.
 * Repeated pairs count once; more than MAX_ATTRIBUTES_PER_PRODUCT distinct pairs refuse the record.
 */
const optionalAttributes = () =>
  z.unknown().optional().transform((raw, ctx): ProductAttribute[] | undefined => {
    if (isAbsent(raw) || (typeof raw === 'string' && raw.trim() === '')) return undefined;
    const pairs = rawAttributes(raw, ctx);
    if (pairs === undefined) return z.NEVER;
    const seen = new Set<string>();
    const attributes: ProductAttribute[] = [];
    let valid = true;
    for (const pair of pairs) {
      const attribute = checkedAttribute(pair, ctx);
      if (attribute === undefined) valid = false;
      else if (!seen.has(`${attribute.key}=${attribute.value}`)) {
        seen.add(`${attribute.key}=${attribute.value}`);
        attributes.push(attribute);
      }
    }
    if (attributes.length > MAX_ATTRIBUTES_PER_PRODUCT) {
      ctx.addIssue({ code: 'custom', message: `at most ${MAX_ATTRIBUTES_PER_PRODUCT} attributes per product, got ${attributes.length}` });
      return z.NEVER;
    }
    return valid ? attributes : z.NEVER;
  });

export const categorySchema = z.object({ id: id(), name: requiredText(500), parentId: optionalId() });
export const brandSchema = z.object({ id: id(), name: requiredText(500) });
export const userSchema = z.object({ id: id() });

/** Products, their `createdAt` checked against `clock`. */
export const productSchemaFor = (clock: ClockLimit) =>
  z.object({
    id: id(),
    title: requiredText(1_000),
    description: optionalText(MAX_TEXT_LENGTH),
    categoryId: optionalId(),
    brandId: optionalId(),
    price: optionalNumberIn(PRICE_RANGE, false),
    currency: z.unknown().optional().transform((raw, ctx): string | undefined => {
      const value = cleanText(raw);
      if (isAbsent(value)) return undefined;
      if (typeof value === 'string' && /^[A-Za-z]{3}$/.test(value)) return value.toUpperCase();
      ctx.addIssue({ code: 'custom', message: `expected a three-letter ISO 4217 code such as EUR, got ${show(raw)}` });
      return z.NEVER;
    }),
    inStock: optionalBoolean(),
    createdAt: optionalTimestamp(clock),
    attributes: optionalAttributes(),
  });

/** Behaviour events, their `timestamp` checked against `clock`. */
export const eventSchemaFor = (clock: ClockLimit) =>
  z
    .object({
      id: optionalId(),
      userId: id(),
      productId: id(),
      type: eventType,
      timestamp: requiredTimestamp(clock),
      quantity: optionalNumberIn(QUANTITY_RANGE, true),
      /** The served list (recommend, search, similarProducts answer) the event came from. */
      servedId: optionalServedId(),
      /** The product's 1-based place in that list. */
      position: optionalNumberIn(POSITION_RANGE, true),
    })
    .transform((event) => ({ ...event, id: event.id ?? eventId(event) }));

/** Checked against the clock as it is at each check, with the default skew. */
export const productSchema = productSchemaFor(DEFAULT_CLOCK);
export const eventSchema = eventSchemaFor(DEFAULT_CLOCK);

export const relationSchema = (allowedTypes: readonly string[]) =>
  z
    .object({
      from: id(),
      to: id(),
      type: relationType(allowedTypes),
      weight: optionalNumberIn(WEIGHT_RANGE, false),
    })
    .transform((relation) => ({ ...relation, weight: relation.weight ?? 1 }));

/**
 * The fields a record of each kind may have, and those it must have: a CSV header is checked against them
 * (a misspelt column would otherwise be dropped silently, its values lost).
 */
export const RECORD_FIELDS: Record<Kind, { all: readonly string[]; required: readonly string[] }> = {
  categories: { all: Object.keys(categorySchema.shape), required: ['id', 'name'] },
  brands: { all: Object.keys(brandSchema.shape), required: ['id', 'name'] },
  products: { all: Object.keys(productSchema.shape), required: ['id', 'title'] },
  users: { all: Object.keys(userSchema.shape), required: ['id'] },
  events: { all: Object.keys(eventSchema.in.shape), required: ['userId', 'productId', 'type', 'timestamp'] },
  relations: { all: Object.keys(relationSchema([]).in.shape), required: ['from', 'to', 'type'] },
};

export type CategoryRecord = z.infer<typeof categorySchema>;
export type BrandRecord = z.infer<typeof brandSchema>;
export type UserRecord = z.infer<typeof userSchema>;
export type ProductRecord = z.infer<ReturnType<typeof productSchemaFor>>;
export type EventRecord = z.infer<ReturnType<typeof eventSchemaFor>>;
export type RelationRecord = z.infer<ReturnType<typeof relationSchema>>;

/** A stable id for an event given without one, so that re-ingesting the same file changes nothing. */
export function eventId(event: { userId: string; productId: string; type: string; timestamp?: number; quantity?: number; servedId?: string | undefined }): string {
  const parts = [event.userId, event.productId, event.type, event.timestamp, event.quantity ?? ''];
  // Only when present, so that the ids of events without one stay what they were: the same product shown at
  // the same millisecond in two lists is two impressions.
  if (event.servedId !== undefined) parts.push(event.servedId);
  const key = parts.join('\u0001');
  return `h:${createHash('sha1').update(key).digest('hex').slice(0, 24)}`;
}

export interface FieldProblem {
  field: string;
  reason: string;
}

/** A field as messages name it: list positions in brackets, as GraphQL inputs are named (`attributes[2].key`). */
const fieldPath = (path: readonly PropertyKey[]): string =>
  path.map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index > 0 ? '.' : ''}${String(part)}`)).join('');

/** Validates one raw record; returns the typed record or the problems, one per field. */
export function validateRecord<T>(schema: z.ZodType<T>, raw: unknown): { ok: true; value: T } | { ok: false; problems: FieldProblem[] } {
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, value: result.data };
  const problems = result.error.issues.map((issue) => ({
    field: issue.path.length > 0 ? fieldPath(issue.path) : '(record)',
    reason: issue.path.length === 0 && issue.code === 'invalid_type' ? `expected an object, got ${show(raw)}` : issue.message,
  }));
  return { ok: false, problems };
}
