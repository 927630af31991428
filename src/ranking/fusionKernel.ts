/**
 * The fusion kernel of the fused ranker: Σ weight × standardised signal over every product, in dense passes
 * over typed arrays. Signals that are the same for every request are pre-fused once per ranking state;
 * grouped signals (a value per category or brand) are added through a table per group.
 */
import type { GroupedSignals, Signals } from './recommendSignals.js';
import type { GroupedSignal } from './groupedSignal.js';
import { groupedMoments, moments } from './signalMoments.js';
import type { RankingState } from './rankingState.js';
import { freshScores, type ScoreAllocator } from './scoreArrays.js';

/** One request's fused scores with what went into them (for explanations and rules). */
export interface FusedScores {
  scores: Float32Array;
  signals: Signals;
  grouped: GroupedSignals;
  weights: Readonly<Record<string, number>>;
  /** Signals fused as they are, not standardised. */
  raw: readonly string[];
}

/** A pre-fused sum of the signals that are the same for every request (popularity, recency). */
export interface FusedBase {
  values: Float32Array;
  signals: ReadonlySet<string>;
}

export interface FuseOptions {
  raw?: readonly string[];
  grouped?: GroupedSignals;
  /** Start from this sum and skip the signals it holds. */
  base?: FusedBase;
  /** Where the fused scores go (default: a new array). */
  scores?: ScoreAllocator;
}

/**
 * Σ weight × standardised signal, over every product. Standardising (z-score over the catalogue) puts a
 * distance, a co-purchase count and a popularity on one scale; a constant signal contributes nothing.
 * Signals listed in `raw` are used as they are; grouped signals are added through a table per group.
 */
export function fuse(signals: Signals, weights: Readonly<Record<string, number>>, n: number, options: FuseOptions = {}): Float32Array {
  const { raw = [], grouped = {}, base, scores = freshScores } = options;
  const columns: Float32Array[] = [];
  const factors: number[] = [];
  let shift = 0;
  for (const [name, values] of Object.entries(signals)) {
    const weight = weights[name] ?? 0;
    if (!values || weight === 0 || base?.signals.has(name)) continue;
    if (raw.includes(name)) {
      columns.push(values);
      factors.push(weight);
      continue;
    }
    const { mean, std } = moments(values);
    if (std === 0) continue;
    columns.push(values);
    factors.push(weight / std);
    shift += (weight / std) * mean;
  }
  const tables: GroupTable[] = [];
  for (const [name, signal] of Object.entries(grouped)) {
    const weight = weights[name] ?? 0;
    if (!signal || weight === 0) continue;
    const { mean, std } = groupedMoments(signal);
    if (std === 0) continue;
    tables.push(groupTable(signal, weight / std));
    shift += (weight / std) * mean;
  }
  return weightedSum(base?.values ?? null, tables, columns, factors, shift, scores(n));
}

/**
 * The fused popularity and recency of a state (weights are fixed per state): a request's fusion reads
 * it as one column instead of standardising and adding two.
 */
const staticBases = new WeakMap<RankingState, FusedBase>();

export function staticBase(state: RankingState): FusedBase {
  const cached = staticBases.get(state);
  if (cached) return cached;
  const signals: Signals = { popularity: state.popularity, recency: state.recency };
  const base = { values: fuse(signals, state.weights, state.snapshot.products.length), signals: new Set(Object.keys(signals)) };
  staticBases.set(state, base);
  return base;
}

/** A grouped signal ready to add: table[slot[i]] is product i's weighted value (slot 0: in no group). */
interface GroupTable {
  slots: Int32Array;
  table: Float32Array;
}

function groupTable(signal: GroupedSignal, factor: number): GroupTable {
  const table = new Float32Array(signal.values.length + 1);
  for (let group = 0; group < signal.values.length; group += 1) table[group + 1] = factor * (signal.values[group] as number);
  return { slots: groupSlots(signal.groupOf), table };
}

/** groupOf + 1 per product, so that "no group" reads slot 0 of a table instead of taking a branch. */
const slotsCache = new WeakMap<Int32Array, Int32Array>();

function groupSlots(groupOf: Int32Array): Int32Array {
  let slots = slotsCache.get(groupOf);
  if (!slots) slotsCache.set(groupOf, (slots = Int32Array.from(groupOf, (group) => group + 1)));
  return slots;
}

/** Shared stand-ins for an absent column or table (all zero), so that one kernel serves every request. */
let padding: { zeros: Float32Array; none: GroupTable } | null = null;

function paddingFor(n: number): { zeros: Float32Array; none: GroupTable } {
  if (padding?.zeros.length !== n) padding = { zeros: new Float32Array(n), none: { slots: new Int32Array(n), table: new Float32Array(1) } };
  return padding;
}

/**
 * out[i] = base[i] + Σ_t table_t[slot_t[i]] + Σ_c factors[c] × columns[c][i] − shift. The first pass
 * adds the base, two group tables and four columns at once, later passes the rest: a request fuses
 * eight signals over the whole catalogue, and each pass saved is a read and a write of it.
 */
function weightedSum(
  base: Float32Array | null,
  tables: readonly GroupTable[],
  columns: readonly Float32Array[],
  factors: readonly number[],
  shift: number,
  out: Float32Array,
): Float32Array {
  const n = out.length;
  const pad = paddingFor(n);
  const { slots: s1, table: v1 } = tables[0] ?? pad.none;
  const { slots: s2, table: v2 } = tables[1] ?? pad.none;
  const column = (c: number): Float32Array => columns[c] ?? pad.zeros;
  const factor = (c: number): number => (columns[c] ? (factors[c] as number) : 0);
  const [a, b, d, e] = [column(0), column(1), column(2), column(3)];
  const [fa, fb, fd, fe] = [factor(0), factor(1), factor(2), factor(3)];
  firstPass(out, base ?? pad.zeros, shift, s1, v1, s2, v2, a, fa, b, fb, d, fd, e, fe);
  for (const { slots, table } of tables.slice(2)) for (let i = 0; i < n; i += 1) out[i] = (out[i] as number) + (table[slots[i] as number] as number);
  for (let c = 4; c < columns.length; c += 1) {
    const values = columns[c] as Float32Array;
    const weight = factors[c] as number;
    for (let i = 0; i < n; i += 1) out[i] = (out[i] as number) + weight * (values[i] as number);
  }
  return out;
}

/**
 * The first pass of weightedSum as a function of its own: V8 compiles the loop far tighter than inside the
 * function that picks its arrays (docs/decisions/0001-rank-in-memory.md).
 */
function firstPass(
  out: Float32Array,
  base: Float32Array,
  shift: number,
  s1: Int32Array,
  v1: Float32Array,
  s2: Int32Array,
  v2: Float32Array,
  a: Float32Array,
  fa: number,
  b: Float32Array,
  fb: number,
  d: Float32Array,
  fd: number,
  e: Float32Array,
  fe: number,
): void {
  const n = out.length;
  for (let i = 0; i < n; i += 1) {
    out[i] =
      (base[i] as number) - shift + (v1[s1[i] as number] as number) + (v2[s2[i] as number] as number) +
      fa * (a[i] as number) + fb * (b[i] as number) + fd * (d[i] as number) + fe * (e[i] as number);
  }
}
