import { z } from 'zod';
import { DEFAULT_MAX_CLOCK_SKEW_SECONDS } from '../config.js';
import type { RuleAction, RuleScope } from '../graph/merchRules.js';
import type { BrandRow, CategoryRow, ProductRow } from '../graph/shopWrites.js';
import { productRow } from '../ingest/kinds.js';
import {
  brandSchema,
  categorySchema,
  eventSchemaFor,
  optionalServedId,
  productSchema,
  relationSchema,
  show,
  validateRecord,
  type EventRecord,
  type FieldProblem,
  type RelationRecord,
} from '../ingest/records.js';
import type { RetrainingOptions } from '../jobs/trainingJobs.js';
import { hyperparameterSchema } from '../kge/hyperparameters.js';
import { normaliseQuery } from '../ranking/rules.js';
import { badInput } from './errors.js';
import { NO_RULES, RULE_SET_NAME, RULE_SET_NAME_RULE } from '../domain/ruleSets.js';

/**
 * Mutation inputs are checked by the ingestion schemas, so a record the API accepts is exactly a record
 * `kgrec ingest` accepts, cleaned the same way. Problems name the input field, with its index in a list.
 */

export type GraphQLEventType = 'VIEW' | 'CLICK' | 'ADD_TO_CART' | 'PURCHASE' | 'IMPRESSION' | 'HIDE';

export interface EventInput {
  id?: string | null;
  userId: string;
  productId: string;
  type: GraphQLEventType;
  timestamp?: string | null;
  quantity?: number | null;
  servedId?: string | null;
  position?: number | null;
}

export interface ProductInput {
  id: string;
  title: string;
  description?: string | null;
  categoryId?: string | null;
  brandId?: string | null;
  price?: number | null;
  currency?: string | null;
  inStock?: boolean | null;
  /** Absent (or null) keeps the product's attributes; a list, even empty, replaces them. */
  attributes?: Array<{ key: string; value: string }> | null;
}

interface LocatedProblem extends FieldProblem {
  index?: number;
}

/** Problems shown in one error's extensions; the message names the first. */
const MAX_LISTED_PROBLEMS = 20;

function refuse(problems: LocatedProblem[]): never {
  const [first] = problems;
  if (!first) throw new Error('refuse() needs at least one problem');
  throw badInput(first.field, first.reason, {
    ...(first.index === undefined ? {} : { index: first.index }),
    problems: problems.slice(0, MAX_LISTED_PROBLEMS).map((problem) => ({ field: problem.field, reason: problem.reason })),
  });
}

export interface ValidatedEvents {
  /** One per distinct event id, in input order. */
  records: EventRecord[];
  /** Input positions of the records, for naming an event in later errors. */
  indexOf: Map<string, number>;
  /** Repeats of an event earlier in the same list. */
  repeats: number;
}

/**
 * Validates every event before anything is written; `now` stands in for a missing timestamp, and a timestamp
 * more than `maxClockSkewSeconds` after it is refused, as ingestion refuses it.
 */
export function validateEvents(events: readonly EventInput[], now: number, maxClockSkewSeconds = DEFAULT_MAX_CLOCK_SKEW_SECONDS): ValidatedEvents {
  const schema = eventSchemaFor({ now, maxClockSkewSeconds });
  const problems: LocatedProblem[] = [];
  const records: EventRecord[] = [];
  const indexOf = new Map<string, number>();
  const seen = new Map<string, string>();
  let repeats = 0;
  events.forEach((event, index) => {
    const raw = { ...event, type: typeof event.type === 'string' ? event.type.toLowerCase() : event.type, timestamp: event.timestamp ?? now };
    const result = validateRecord(schema, raw);
    if (!result.ok) {
      problems.push(...result.problems.map((problem) => ({ field: `events[${index}].${problem.field}`, reason: problem.reason, index })));
      return;
    }
    const record = result.value;
    const fingerprint = JSON.stringify([record.userId, record.productId, record.type, record.timestamp, record.quantity ?? null, record.servedId ?? null, record.position ?? null]);
    const earlier = seen.get(record.id);
    if (earlier === undefined) {
      seen.set(record.id, fingerprint);
      indexOf.set(record.id, index);
      records.push(record);
    } else if (earlier === fingerprint) {
      repeats += 1;
    } else {
      problems.push({ field: `events[${index}].id`, reason: `repeats the id of events[${indexOf.get(record.id)}] with other values`, index });
    }
  });
  if (problems.length > 0) refuse(problems);
  return { records, indexOf, repeats };
}

/** A validated product input as the ingestion write takes it: only the fields given are set. */
export function validateProduct(input: ProductInput): ProductRow {
  const result = validateRecord(productSchema, input);
  if (!result.ok) refuse(result.problems.map((problem) => ({ field: `input.${problem.field}`, reason: problem.reason })));
  return productRow(result.value);
}

export function validateRelation(input: { from: string; to: string; type: string; weight?: number | null }, relationTypes: readonly string[]): RelationRecord {
  const result = validateRecord(relationSchema(relationTypes), input);
  if (!result.ok) refuse(result.problems);
  if (result.value.from === result.value.to) throw badInput('to', 'a product cannot be related to itself');
  return result.value;
}

/** Problems of a record validated whole, each field named under `prefix` (e.g. `input.name`). */
function refuseUnder(prefix: string, problems: FieldProblem[]): never {
  refuse(problems.map((problem) => ({ field: prefix === '' ? problem.field : `${prefix}.${problem.field}`, reason: problem.reason })));
}

/** A category checked by the ingestion schema; `parentId` undefined means a root. */
export function validateCategory(input: { id: string; name?: string | null; parentId?: string | null }): CategoryRow {
  const result = validateRecord(categorySchema, input);
  if (!result.ok) refuseUnder('input', result.problems);
  return result.value;
}

export interface BrandInput {
  id: string;
  name: string;
}

export function validateBrand(input: BrandInput): BrandRow {
  const result = validateRecord(brandSchema, input);
  if (!result.ok) refuseUnder('input', result.problems);
  return result.value;
}

/** The most a boost may multiply a score by: beyond this a pin says what is meant more honestly. */
export const MAX_BOOST_FACTOR = 100;
/** Longest query text a rule may name, as long as a search may be. */
export const MAX_RULE_QUERY_LENGTH = 500;

export interface RuleArgs {
  productId: string;
  categoryId?: string | null;
  query?: string | null;
  /** Epoch milliseconds (the DateTime scalar has parsed it). */
  expiresAt?: number | null;
  position?: number | null;
  factor?: number | null;
  ruleSet?: string | null;
}

export interface ValidatedRule {
  action: RuleAction;
  productId: string;
  scope: RuleScope;
  categoryId: string | null;
  query: string | null;
  position: number | null;
  factor: number | null;
  expiresAt: number | null;
  ruleSet: string | null;
}

// Ids are cleaned exactly as ingestion cleans them (trimmed, whitespace collapsed, required where needed).
const requiredId = categorySchema.shape.id;
const optionalId = categorySchema.shape.parentId;

const ruleSchema = (action: RuleAction, maxPosition: number, now: number) =>
  z
    .object({
      productId: requiredId,
      categoryId: optionalId,
      query: z
        .string()
        .nullish()
        .transform((text, ctx): string | undefined => {
          if (text === null || text === undefined) return undefined;
          const query = normaliseQuery(text);
          if (query === '') ctx.addIssue({ code: 'custom', message: 'expected some search text' });
          else if (query.length > MAX_RULE_QUERY_LENGTH) ctx.addIssue({ code: 'custom', message: `at most ${MAX_RULE_QUERY_LENGTH} characters, got ${query.length}` });
          return query;
        }),
      position: z
        .number()
        .nullish()
        .transform((position, ctx): number | null => {
          if (action !== 'pin') return null;
          if (position === null || position === undefined || !Number.isInteger(position) || position < 1 || position > maxPosition) {
            ctx.addIssue({ code: 'custom', message: `expected a whole number from 1 to ${maxPosition}, got ${show(position)}` });
          }
          return position ?? null;
        }),
      factor: z
        .number()
        .nullish()
        .transform((factor, ctx): number | null => {
          if (action !== 'boost') return null;
          if (factor === null || factor === undefined || !Number.isFinite(factor) || factor <= 1 || factor > MAX_BOOST_FACTOR) {
            ctx.addIssue({ code: 'custom', message: `expected a factor above 1 and at most ${MAX_BOOST_FACTOR}, got ${show(factor)}` });
          }
          return factor ?? null;
        }),
      expiresAt: z
        .number()
        .nullish()
        .transform((expiresAt, ctx): number | null => {
          if (expiresAt === null || expiresAt === undefined) return null;
          if (expiresAt <= now) ctx.addIssue({ code: 'custom', message: `expected a time in the future, got ${new Date(expiresAt).toISOString()}` });
          return expiresAt;
        }),
      ruleSet: z
        .string()
        .regex(RULE_SET_NAME, RULE_SET_NAME_RULE)
        .refine((name) => name !== NO_RULES, `"${NO_RULES}" is the variant setting for no rules, not a rule set`)
        .nullish()
        .transform((name) => name ?? null),
    })
    .superRefine((rule, ctx) => {
      if (rule.categoryId !== undefined && rule.query !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['query'], message: 'a rule is for a category or for a search query, not both' });
      } else if (rule.categoryId === undefined && rule.query === undefined) {
        ctx.addIssue({ code: 'custom', path: ['categoryId'], message: 'a rule needs a categoryId or a query' });
      }
    });

/** Checks a pin, boost or bury: its product, exactly one target, and the action's own number. */
export function validateRule(action: RuleAction, args: RuleArgs, limits: { maxPosition: number; now: number }): ValidatedRule {
  const result = validateRecord(ruleSchema(action, limits.maxPosition, limits.now), args);
  if (!result.ok) refuseUnder('', result.problems);
  const rule = result.value;
  return {
    action,
    productId: rule.productId,
    scope: rule.categoryId !== undefined ? 'category' : 'query',
    categoryId: rule.categoryId ?? null,
    query: rule.query ?? null,
    position: rule.position,
    factor: rule.factor,
    expiresAt: rule.expiresAt,
    ruleSet: rule.ruleSet,
  };
}

// The ranges of src/kge/hyperparameters.ts, so the API accepts exactly what `kgrec train` accepts.
const inRangeOf = (schema: z.ZodNumber) =>
  z
    .number()
    .nullish()
    .transform((value, ctx): number | undefined => {
      if (value === null || value === undefined) return undefined;
      if (!schema.safeParse(value).success) {
        ctx.addIssue({ code: 'custom', message: `expected a whole number from ${schema.minValue ?? '-∞'} to ${schema.maxValue ?? '∞'}, got ${show(value)}` });
      }
      return value;
    });
const retrainingSchema = z.object({
  epochs: inRangeOf(hyperparameterSchema.shape.epochs),
  warmStart: z.boolean().nullish(),
  seed: inRangeOf(hyperparameterSchema.shape.seed),
  dimension: inRangeOf(hyperparameterSchema.shape.dimension),
});

/** RetrainingOptions checked against the trainer's own ranges; absent and null both mean the default. */
export function validateRetraining(options: Record<string, unknown> | null | undefined): RetrainingOptions {
  const result = validateRecord(retrainingSchema, options ?? {});
  if (!result.ok) refuseUnder('options', result.problems);
  const { epochs, warmStart, seed, dimension } = result.value;
  return {
    ...(epochs !== undefined ? { epochs } : {}),
    ...(warmStart !== undefined && warmStart !== null ? { warmStart } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(dimension !== undefined ? { dimension } : {}),
  };
}

/** Served list ids of earlier pages (`excludeServed`), each checked as events' servedId is; at most `max`. */
export function validateServedIds(field: string, ids: readonly string[], max: number): string[] {
  if (ids.length > max) throw badInput(field, `at most ${max} served lists, got ${ids.length}`);
  const schema = optionalServedId();
  return ids.map((raw, index) => {
    const result = schema.safeParse(raw);
    if (!result.success || result.data === undefined) throw badInput(`${field}[${index}]`, result.success ? 'expected a served list id' : (result.error.issues[0]?.message ?? 'expected a served list id'));
    return result.data;
  });
}

/** An id argument cleaned as ingestion cleans ids (trimmed, whitespace collapsed); empty is refused naming `field`. */
export function validateId(field: string, raw: string): string {
  const result = requiredId.safeParse(raw);
  if (!result.success) throw badInput(field, result.error.issues[0]?.message ?? 'expected an id');
  return result.data;
}
