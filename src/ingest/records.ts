import { createHash } from 'node:crypto';
import { z } from 'zod';
import { EVENT_TYPES, type EventType } from '../domain/behaviours.js';

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

export const show = (value: unknown): string => {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

/** Trims and collapses runs of whitespace; empty strings become `undefined` (an empty CSV cell is an absent value). */
export function cleanText(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const cleaned = value.replace(/\s+/g, ' ').trim();
  return cleaned === '' ? undefined : cleaned;
}

const isAbsent = (value: unknown): boolean => value === undefined || value === null;

/** Cleans a text field; `undefined` when absent, a string when valid, else records the problem. */
function parseText(raw: unknown, maxLength: number, ctx: z.RefinementCtx): string | undefined | typeof z.NEVER {
  const value = cleanText(typeof raw === 'number' ? String(raw) : raw);
  if (isAbsent(value)) return undefined;
  if (typeof value !== 'string') {
    ctx.addIssue({ code: 'custom', message: `expected text, got ${show(raw)}` });
    return z.NEVER;
  }
  if (value.length > maxLength) {
    ctx.addIssue({ code: 'custom', message: `longer than ${maxLength} characters` });
    return z.NEVER;
  }
  return value;
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
const optionalId = () => optionalText(MAX_ID_LENGTH);

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
    const word = String(value).toLowerCase();
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

function parseTimestampField(raw: unknown, ctx: z.RefinementCtx): number | undefined {
  const ms = parseTimestamp(raw);
  if (ms === undefined) ctx.addIssue({ code: 'custom', message: `expected ISO-8601 or epoch milliseconds, got ${show(raw)}` });
  return ms;
}

const requiredTimestamp = () =>
  z.unknown().optional().transform((raw, ctx): number => {
    if (isAbsent(cleanText(raw))) {
      ctx.addIssue({ code: 'custom', message: 'required' });
      return z.NEVER;
    }
    return parseTimestampField(raw, ctx) ?? z.NEVER;
  });

const optionalTimestamp = () =>
  z.unknown().optional().transform((raw, ctx): number | undefined => (isAbsent(cleanText(raw)) ? undefined : (parseTimestampField(raw, ctx) ?? z.NEVER)));

const eventType = z.unknown().optional().transform((raw, ctx): EventType => {
  const value = cleanText(raw);
  if (isAbsent(value)) {
    ctx.addIssue({ code: 'custom', message: 'required' });
    return z.NEVER;
  }
  const normalised = String(value).toLowerCase().replace(/[- ]/g, '_').replace(/^addtocart$/, 'add_to_cart');
  if ((EVENT_TYPES as readonly string[]).includes(normalised)) return normalised as EventType;
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
    const normalised = String(value).toUpperCase().replace(/[- ]/g, '_');
    if (allowed.includes(normalised)) return normalised;
    ctx.addIssue({ code: 'custom', message: `expected one of ${allowed.join(', ')}, got ${show(raw)}` });
    return z.NEVER;
  });

export const categorySchema = z.object({ id: id(), name: requiredText(500), parentId: optionalId() });
export const brandSchema = z.object({ id: id(), name: requiredText(500) });
export const userSchema = z.object({ id: id() });
export const productSchema = z.object({
  id: id(),
  title: requiredText(1_000),
  description: optionalText(MAX_TEXT_LENGTH),
  categoryId: optionalId(),
  brandId: optionalId(),
  price: optionalNumber('a number ≥ 0', (n) => n >= 0),
  currency: z.unknown().optional().transform((raw, ctx): string | undefined => {
    const value = cleanText(raw);
    if (isAbsent(value)) return undefined;
    if (typeof value === 'string' && /^[A-Za-z]{3}$/.test(value)) return value.toUpperCase();
    ctx.addIssue({ code: 'custom', message: `expected a three-letter ISO 4217 code such as EUR, got ${show(raw)}` });
    return z.NEVER;
  }),
  inStock: optionalBoolean(),
  createdAt: optionalTimestamp(),
});
const eventFields = z.object({
  id: optionalId(),
  userId: id(),
  productId: id(),
  type: eventType,
  timestamp: requiredTimestamp(),
  quantity: optionalNumber('a whole number ≥ 1', (n) => Number.isInteger(n) && n >= 1),
});
export const eventSchema = eventFields.transform((event) => ({ ...event, id: event.id ?? eventId(event) }));
export const relationSchema = (allowedTypes: readonly string[]) =>
  z
    .object({
      from: id(),
      to: id(),
      type: relationType(allowedTypes),
      weight: optionalNumber('a finite number', () => true),
    })
    .transform((relation) => ({ ...relation, weight: relation.weight ?? 1 }));

export type CategoryRecord = z.infer<typeof categorySchema>;
export type BrandRecord = z.infer<typeof brandSchema>;
export type UserRecord = z.infer<typeof userSchema>;
export type ProductRecord = z.infer<typeof productSchema>;
export type EventRecord = z.infer<typeof eventSchema>;
export type RelationRecord = z.infer<ReturnType<typeof relationSchema>>;

/** A stable id for an event given without one, so that re-ingesting the same file changes nothing. */
export function eventId(event: { userId: string; productId: string; type: string; timestamp?: number; quantity?: number }): string {
  const key = [event.userId, event.productId, event.type, event.timestamp, event.quantity ?? ''].join('\u0001');
  return `h:${createHash('sha1').update(key).digest('hex').slice(0, 24)}`;
}

export interface FieldProblem {
  field: string;
  reason: string;
}

/** Validates one raw record; returns the typed record or the problems, one per field. */
export function validateRecord<T>(schema: z.ZodType<T>, raw: unknown): { ok: true; value: T } | { ok: false; problems: FieldProblem[] } {
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, value: result.data };
  const problems = result.error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.join('.') : '(record)',
    reason: issue.path.length === 0 && issue.code === 'invalid_type' ? `expected an object, got ${show(raw)}` : issue.message,
  }));
  return { ok: false, problems };
}
