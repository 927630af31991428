import type { ProductRow } from '../graph/shopWrites.js';
import {
  eventSchema,
  productSchema,
  relationSchema,
  validateRecord,
  type EventRecord,
  type FieldProblem,
  type RelationRecord,
} from '../ingest/records.js';
import { badInput } from './errors.js';

/**
 * Mutation inputs are checked by the ingestion schemas, so a record the API accepts is exactly a record
 * `kgrec ingest` accepts, cleaned the same way. Problems name the input field, with its index in a list.
 */

export type GraphQLEventType = 'VIEW' | 'CLICK' | 'ADD_TO_CART' | 'PURCHASE';

export interface EventInput {
  id?: string | null;
  userId: string;
  productId: string;
  type: GraphQLEventType;
  timestamp?: string | null;
  quantity?: number | null;
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

/** Validates every event before anything is written; `now` stands in for a missing timestamp. */
export function validateEvents(events: readonly EventInput[], now: number): ValidatedEvents {
  const problems: LocatedProblem[] = [];
  const records: EventRecord[] = [];
  const indexOf = new Map<string, number>();
  const seen = new Map<string, string>();
  let repeats = 0;
  events.forEach((event, index) => {
    const raw = { ...event, type: event.type.toLowerCase(), timestamp: event.timestamp ?? now };
    const result = validateRecord(eventSchema, raw);
    if (!result.ok) {
      problems.push(...result.problems.map((problem) => ({ field: `events[${index}].${problem.field}`, reason: problem.reason, index })));
      return;
    }
    const record = result.value;
    const fingerprint = JSON.stringify([record.userId, record.productId, record.type, record.timestamp, record.quantity ?? null]);
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
  const record = result.value;
  const props: ProductRow['props'] = { title: record.title };
  if (record.description !== undefined) props.description = record.description;
  if (record.price !== undefined) props.price = record.price;
  if (record.currency !== undefined) props.currency = record.currency;
  if (record.inStock !== undefined) props.inStock = record.inStock;
  return { id: record.id, props, categoryId: record.categoryId, brandId: record.brandId };
}

export function validateRelation(input: { from: string; to: string; type: string; weight?: number | null }, relationTypes: readonly string[]): RelationRecord {
  const result = validateRecord(relationSchema(relationTypes), input);
  if (!result.ok) refuse(result.problems);
  if (result.value.from === result.value.to) throw badInput('to', 'a product cannot be related to itself');
  return result.value;
}
