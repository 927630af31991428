import { groupedSums, groupedValue, type GroupedSignal } from './groupedSignal.js';

/**
 * The mean and deviation of each signal over the catalogue, by which fusion standardises it (z-score),
 * remembered per signal array: explanations ask for them again per item, and a signal's producer may
 * know them already (a sparse signal from its non-zero entries) and spare a pass over the catalogue.
 */

export interface Moments {
  mean: number;
  /** Population standard deviation; 0 for a signal constant up to rounding. */
  std: number;
}

/** A standard deviation this small is float rounding, not a signal. */
const CONSTANT_SIGNAL_DEVIATION = 1e-6;

/** Moments per signal: explanations ask for them again per item. */
const momentsCache = new WeakMap<object, Moments>();

/** Drops what is remembered of an array about to hold another signal (a pooled score array, scoreArrays.ts). */
export function forgetMoments(values: Float32Array): void {
  momentsCache.delete(values);
}

/** A signal's value for one product, standardised as `fuse` does (0 for a constant signal). */
export function standardised(values: Float32Array, index: number): number {
  const { mean, std } = moments(values);
  return std === 0 ? 0 : ((values[index] as number) - mean) / std;
}

export function standardisedGrouped(signal: GroupedSignal, index: number): number {
  const { mean, std } = groupedMoments(signal);
  return std === 0 ? 0 : (groupedValue(signal, index) - mean) / std;
}

/**
 * A signal's mean and deviation over the catalogue's finite values (0 for a constant signal), as offline
 * fusion takes them. One pass with float64 sums of values and squares: the signals here are of modest
 * magnitude, so E[x²] − mean² keeps its digits, and a request saves a pass over the catalogue per signal.
 */
export function moments(values: Float32Array): Moments {
  const cached = momentsCache.get(values);
  if (cached) return cached;
  const result = momentsOf(values);
  momentsCache.set(values, result);
  return result;
}

/**
 * Standardises values[from, from + n) in place, as `fuse` standardises a signal over the catalogue: a
 * constant row becomes 0 (it orders nothing). Offline evaluation's weight fit normalises its components
 * with it, so the weights it finds are the weights of the served fusion.
 */
export function standardiseInPlace(values: Float32Array, from: number, n: number): void {
  const row = values.subarray(from, from + n);
  const { mean, std } = momentsOf(row);
  if (std === 0) {
    row.fill(0);
    return;
  }
  for (let i = 0; i < n; i += 1) row[i] = ((row[i] as number) - mean) / std;
}

function momentsOf(values: Float32Array): Moments {
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < values.length; i += 1) {
    const value = values[i] as number;
    sum += value;
    squares += value * value;
  }
  // Most signals are finite everywhere: the sums say so, and the pass that skips ±Infinity and NaN
  // (twice as slow, for its branch) runs only when they are not.
  return Number.isFinite(sum) && Number.isFinite(squares) ? momentsFromSums(values.length, sum, squares) : finiteMoments(values);
}

function finiteMoments(values: Float32Array): Moments {
  let count = 0;
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < values.length; i += 1) {
    const value = values[i] as number;
    if (value - value !== 0) continue; // ±Infinity and NaN
    count += 1;
    sum += value;
    squares += value * value;
  }
  return momentsFromSums(count, sum, squares);
}

/** The same moments for a grouped signal, from its group sizes: no pass over the catalogue. */
export function groupedMoments(signal: GroupedSignal): Moments {
  const cached = momentsCache.get(signal);
  if (cached) return cached;
  const { count, sum, squares } = groupedSums(signal);
  const result = momentsFromSums(count, sum, squares);
  momentsCache.set(signal, result);
  return result;
}

function momentsFromSums(count: number, sum: number, squares: number): Moments {
  const mean = count > 0 ? sum / count : 0;
  const deviation = count > 0 ? Math.sqrt(Math.max(0, squares / count - mean * mean)) : 0;
  // Below this a signal is constant up to float rounding: it orders nothing.
  return { mean, std: deviation > CONSTANT_SIGNAL_DEVIATION * Math.max(1, Math.abs(mean)) ? deviation : 0 };
}

/**
 * Moments of a signal that is 0 but at `touched` (each listed once): its producer knows where it wrote,
 * so a request need not pass over the whole catalogue to standardise it.
 */
export function rememberSparseMoments(values: Float32Array, touched: readonly number[]): void {
  let sum = 0;
  let squares = 0;
  for (const index of touched) {
    const value = values[index] as number;
    sum += value;
    squares += value * value;
  }
  if (Number.isFinite(sum) && Number.isFinite(squares)) momentsCache.set(values, momentsFromSums(values.length, sum, squares));
}
