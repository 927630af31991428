/**
 * TransE's training kernels in AssemblyScript, compiled to WebAssembly with 128-bit SIMD (four float32
 * lanes per instruction). The same maths as `TransEKernel`, `LazyAdam`, `SparseAdagrad` and `normalizeRows`
 * in ../../ (see transe.ts there for the losses and their gradients); those stay the reference that tests
 * hold this module to.
 *
 * Every table lives in one shared linear memory that JavaScript also sees as typed arrays: arguments are
 * byte addresses. Module globals are per instance, and each training lane has its own instance, so a lane's
 * configuration and scratch vectors are its own.
 *
 * Row loops run over whole vectors of four; a dimension that is not a multiple of four finishes with a
 * scalar tail.
 */

// ---- configuration of this lane (set once by `configure` and `bindBatch`) ----
let dimension: i32 = 0;
let rowBytes: usize = 0;
/** Bytes of the rows' whole vectors: the scalar tail starts here. */
let vectorBytes: usize = 0;
let negatives: i32 = 0;
let useL1: bool = true;
let adversarial: bool = true;
let margin: f64 = 0;
let temperature: f64 = 0;
let entity: usize = 0;
let relation: usize = 0;

// Scratch of one positive (float32 vectors of `dimension`, float64 per triple).
let headPlusRelation: usize = 0;
let tailMinusRelation: usize = 0;
let positiveGradient: usize = 0;
let headSum: usize = 0;
let tailSum: usize = 0;
/** x = e_h + w_r − e_t of the positive (row 0) and of its negatives (rows 1..k). */
let differences: usize = 0;
let distances: usize = 0;
let coefficients: usize = 0;

// The batch (int32 arrays) and this lane's gradient tables (values, stamps, touched rows, [count, stamp]).
let batchHeads: usize = 0;
let batchRelations: usize = 0;
let batchTails: usize = 0;
let negativeHeads: usize = 0;
let negativeTails: usize = 0;
let entityGradients: usize = 0;
let entityStamps: usize = 0;
let entityTouched: usize = 0;
let entityMeta: usize = 0;
let relationGradients: usize = 0;
let relationStamps: usize = 0;
let relationTouched: usize = 0;
let relationMeta: usize = 0;

const SIGN_MASK: v128 = i32x4.splat(<i32>0x80000000);
const NORM_EPSILON: f64 = 1e-12;
const ADAM_BETA1: f64 = 0.9;
const ADAM_BETA2: f64 = 0.999;
const ADAM_EPSILON: f32 = 1e-8;
const ADAGRAD_EPSILON: f32 = 1e-10;

/** Bytes of scratch a lane needs for `dim` and `k` negatives (the caller allocates them, 16-byte aligned). */
export function scratchBytes(dim: i32, k: i32): i32 {
  return (5 + (k + 1)) * dim * 4 + 2 * (k + 1) * 8 + 7 * 16;
}

function align16(address: usize): usize {
  return (address + 15) & ~(<usize>15);
}

export function configure(dim: i32, k: i32, l1: bool, selfAdversarial: bool, gamma: f64, alpha: f64, entityTable: usize, relationTable: usize, scratch: usize): void {
  dimension = dim;
  rowBytes = <usize>dim << 2;
  vectorBytes = <usize>(dim & ~3) << 2;
  negatives = k;
  useL1 = l1;
  adversarial = selfAdversarial;
  margin = gamma;
  temperature = alpha;
  entity = entityTable;
  relation = relationTable;
  let next = align16(scratch);
  headPlusRelation = next;
  next = align16(next + rowBytes);
  tailMinusRelation = next;
  next = align16(next + rowBytes);
  positiveGradient = next;
  next = align16(next + rowBytes);
  headSum = next;
  next = align16(next + rowBytes);
  tailSum = next;
  next = align16(next + rowBytes);
  differences = next;
  next = align16(next + <usize>(k + 1) * rowBytes);
  distances = next;
  next = align16(next + <usize>(k + 1) * 8);
  coefficients = next;
}

export function bindBatch(heads: usize, relations: usize, tails: usize, negHeads: usize, negTails: usize): void {
  batchHeads = heads;
  batchRelations = relations;
  batchTails = tails;
  negativeHeads = negHeads;
  negativeTails = negTails;
}

export function bindGradients(eValues: usize, eStamps: usize, eTouched: usize, eMeta: usize, rValues: usize, rStamps: usize, rTouched: usize, rMeta: usize): void {
  entityGradients = eValues;
  entityStamps = eStamps;
  entityTouched = eTouched;
  entityMeta = eMeta;
  relationGradients = rValues;
  relationStamps = rStamps;
  relationTouched = rTouched;
  relationMeta = rMeta;
}

// ---- small helpers ----

@inline function sumLanes(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

/** The norm of a difference from its accumulated |x| (L1) or x² (L2) sums. */
@inline function finish(vectorSum: v128, tailSum: f32): f64 {
  const sum = <f64>sumLanes(vectorSum) + <f64>tailSum;
  return useL1 ? sum : Math.sqrt(sum);
}

@inline function accumulateNorm(sum: v128, x: v128): v128 {
  return useL1 ? f32x4.add(sum, f32x4.abs(x)) : f32x4.add(sum, f32x4.mul(x, x));
}

@inline function scalarNorm(x: f32): f32 {
  return useL1 ? Mathf.abs(x) : x * x;
}

/** The address of `row` in a gradient table; its first touch in a batch zeroes it and records it. */
@inline function touch(values: usize, stamps: usize, touched: usize, meta: usize, row: i32): usize {
  const start = values + <usize>row * rowBytes;
  const stamp = load<i32>(meta, 4);
  const stampAddress = stamps + (<usize>row << 2);
  if (load<i32>(stampAddress) != stamp) {
    store<i32>(stampAddress, stamp);
    const count = load<i32>(meta);
    store<i32>(touched + (<usize>count << 2), row);
    store<i32>(meta, count + 1);
    memory.fill(start, 0, rowBytes);
  }
  return start;
}

function softplus(x: f64): f64 {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

function sigmoid(x: f64): f64 {
  return 1 / (1 + Math.exp(-x));
}

// ---- forward ----

/** x = e_h + w_r − e_t of the positive, keeping e_h + w_r and e_t − w_r for its negatives. */
function forwardPositive(h: usize, r: usize, t: usize): f64 {
  let sum = f32x4.splat(0);
  let offset: usize = 0;
  for (; offset < vectorBytes; offset += 16) {
    const a = v128.load(h + offset);
    const b = v128.load(r + offset);
    const c = v128.load(t + offset);
    const hr = f32x4.add(a, b);
    v128.store(headPlusRelation + offset, hr);
    v128.store(tailMinusRelation + offset, f32x4.sub(c, b));
    const x = f32x4.sub(hr, c);
    v128.store(differences + offset, x);
    sum = accumulateNorm(sum, x);
  }
  let tail: f32 = 0;
  for (; offset < rowBytes; offset += 4) {
    const a = load<f32>(h + offset);
    const b = load<f32>(r + offset);
    const c = load<f32>(t + offset);
    store<f32>(headPlusRelation + offset, a + b);
    store<f32>(tailMinusRelation + offset, c - b);
    const x = a + b - c;
    store<f32>(differences + offset, x);
    tail += scalarNorm(x);
  }
  return finish(sum, tail);
}

/** x = a − b into `out`, returning its norm (a corrupted tail: a = e_h + w_r; a corrupted head: b = e_t − w_r). */
function forwardDifference(a: usize, b: usize, out: usize): f64 {
  let sum0 = f32x4.splat(0);
  let sum1 = f32x4.splat(0);
  let offset: usize = 0;
  // Two accumulators: the adds of consecutive vectors do not wait on each other.
  for (; offset + 16 < vectorBytes; offset += 32) {
    const x0 = f32x4.sub(v128.load(a + offset), v128.load(b + offset));
    const x1 = f32x4.sub(v128.load(a + offset, 16), v128.load(b + offset, 16));
    v128.store(out + offset, x0);
    v128.store(out + offset, x1, 16);
    sum0 = accumulateNorm(sum0, x0);
    sum1 = accumulateNorm(sum1, x1);
  }
  for (; offset < vectorBytes; offset += 16) {
    const x = f32x4.sub(v128.load(a + offset), v128.load(b + offset));
    v128.store(out + offset, x);
    sum0 = accumulateNorm(sum0, x);
  }
  let tail: f32 = 0;
  for (; offset < rowBytes; offset += 4) {
    const x = load<f32>(a + offset) - load<f32>(b + offset);
    store<f32>(out + offset, x);
    tail += scalarNorm(x);
  }
  return finish(f32x4.add(sum0, sum1), tail);
}

/** A negative that shares neither entity with its positive (never made by the sampler; given in tests). */
function forwardGeneral(h: usize, r: usize, t: usize, out: usize): f64 {
  let sum = f32x4.splat(0);
  let offset: usize = 0;
  for (; offset < vectorBytes; offset += 16) {
    const x = f32x4.sub(f32x4.add(v128.load(h + offset), v128.load(r + offset)), v128.load(t + offset));
    v128.store(out + offset, x);
    sum = accumulateNorm(sum, x);
  }
  let tail: f32 = 0;
  for (; offset < rowBytes; offset += 4) {
    const x = load<f32>(h + offset) + load<f32>(r + offset) - load<f32>(t + offset);
    store<f32>(out + offset, x);
    tail += scalarNorm(x);
  }
  return finish(sum, tail);
}

// ---- loss coefficients: ∂loss/∂d of the positive (slot 0) and its negatives, times 1 / batch ----

function marginCoefficients(inverseBatch: f64): f64 {
  const k = negatives;
  const pairWeight = inverseBatch / <f64>k;
  const positiveDistance = load<f64>(distances);
  let hinge: f64 = 0;
  let positiveCoefficient: f64 = 0;
  for (let j = 1; j <= k; j++) {
    const violation = margin + positiveDistance - load<f64>(distances + (<usize>j << 3));
    if (violation > 0) {
      hinge += violation;
      positiveCoefficient += pairWeight;
      store<f64>(coefficients + (<usize>j << 3), -pairWeight);
    } else {
      store<f64>(coefficients + (<usize>j << 3), 0);
    }
  }
  store<f64>(coefficients, positiveCoefficient);
  return hinge / <f64>k;
}

function adversarialCoefficients(inverseBatch: f64): f64 {
  const k = negatives;
  let largest = -Infinity;
  for (let j = 1; j <= k; j++) largest = Math.max(largest, temperature * (margin - load<f64>(distances + (<usize>j << 3))));
  let total: f64 = 0;
  for (let j = 1; j <= k; j++) {
    const weight = Math.exp(temperature * (margin - load<f64>(distances + (<usize>j << 3))) - largest);
    store<f64>(coefficients + (<usize>j << 3), weight);
    total += weight;
  }
  const positiveDistance = load<f64>(distances);
  let loss = softplus(positiveDistance - margin);
  store<f64>(coefficients, sigmoid(positiveDistance - margin) * inverseBatch);
  for (let j = 1; j <= k; j++) {
    const p = load<f64>(coefficients + (<usize>j << 3)) / total;
    const distance = load<f64>(distances + (<usize>j << 3));
    loss += p * softplus(margin - distance);
    store<f64>(coefficients + (<usize>j << 3), -p * sigmoid(margin - distance) * inverseBatch);
  }
  return loss;
}

// ---- backward ----

/** ∂loss/∂x of triple `row` as a per-lane multiplier: L1 flips the sign of c where x < 0, L2 scales x. */
@inline function gradientVector(x: v128, c: v128, scale: v128): v128 {
  return useL1 ? v128.xor(v128.and(x, SIGN_MASK), c) : f32x4.mul(x, scale);
}

@inline function gradientScalar(x: f32, c: f32, scale: f32): f32 {
  return useL1 ? (reinterpret<i32>(x) < 0 ? -c : c) : x * scale;
}

/** c for L1; c / d for L2 (0 at d = 0). */
@inline function rowScale(row: i32): f32 {
  const c = load<f64>(coefficients + (<usize>row << 3));
  if (useL1) return <f32>c;
  const distance = load<f64>(distances + (<usize>row << 3));
  return distance > 0 ? <f32>(c / distance) : 0;
}

/** out = ∂loss/∂x of triple `row`. */
function gradientOfRow(row: i32, out: usize): void {
  const x = differences + <usize>row * rowBytes;
  const s = rowScale(row);
  const c = f32x4.splat(s);
  let offset: usize = 0;
  for (; offset < vectorBytes; offset += 16) v128.store(out + offset, gradientVector(v128.load(x + offset), c, c));
  for (; offset < rowBytes; offset += 4) store<f32>(out + offset, gradientScalar(load<f32>(x + offset), s, s));
}

/**
 * A negative that keeps one entity of its positive: its gradient g joins that side's sum and reaches the
 * corrupted entity's row with `sign` (+1 for a head, −1 for a tail).
 */
function scatterKeptSide(row: i32, sideSum: usize, target: usize, sign: f32): void {
  const s = rowScale(row);
  if (s == 0) return;
  const x = differences + <usize>row * rowBytes;
  const c = f32x4.splat(s);
  const signed = f32x4.splat(sign);
  let offset: usize = 0;
  for (; offset < vectorBytes; offset += 16) {
    const g = gradientVector(v128.load(x + offset), c, c);
    v128.store(sideSum + offset, f32x4.add(v128.load(sideSum + offset), g));
    v128.store(target + offset, f32x4.add(v128.load(target + offset), f32x4.mul(signed, g)));
  }
  for (; offset < rowBytes; offset += 4) {
    const g = gradientScalar(load<f32>(x + offset), s, s);
    store<f32>(sideSum + offset, load<f32>(sideSum + offset) + g);
    store<f32>(target + offset, load<f32>(target + offset) + sign * g);
  }
}

/** target += sign · source over a row. */
function addRow(target: usize, source: usize, sign: f32): void {
  const signed = f32x4.splat(sign);
  let offset: usize = 0;
  for (; offset < vectorBytes; offset += 16) {
    v128.store(target + offset, f32x4.add(v128.load(target + offset), f32x4.mul(signed, v128.load(source + offset))));
  }
  for (; offset < rowBytes; offset += 4) store<f32>(target + offset, load<f32>(target + offset) + sign * load<f32>(source + offset));
}

function scatterGeneral(row: i32, h: i32, r: i32, t: i32): void {
  const gradient = tailMinusRelation; // free once every forward pass of this positive is done
  gradientOfRow(row, gradient);
  addRow(touch(entityGradients, entityStamps, entityTouched, entityMeta, h), gradient, 1);
  addRow(touch(entityGradients, entityStamps, entityTouched, entityMeta, t), gradient, -1);
  addRow(touch(relationGradients, relationStamps, relationTouched, relationMeta, r), gradient, 1);
}

function positive(i: i32, inverseBatch: f64): f64 {
  const k = negatives;
  const head = load<i32>(batchHeads + (<usize>i << 2));
  const rel = load<i32>(batchRelations + (<usize>i << 2));
  const tail = load<i32>(batchTails + (<usize>i << 2));
  const negativeBase = <usize>i * <usize>k;

  store<f64>(distances, forwardPositive(entity + <usize>head * rowBytes, relation + <usize>rel * rowBytes, entity + <usize>tail * rowBytes));
  for (let j = 0; j < k; j++) {
    const negativeHead = load<i32>(negativeHeads + ((negativeBase + <usize>j) << 2));
    const negativeTail = load<i32>(negativeTails + ((negativeBase + <usize>j) << 2));
    const out = differences + <usize>(j + 1) * rowBytes;
    let distance: f64;
    if (negativeHead == head) distance = forwardDifference(headPlusRelation, entity + <usize>negativeTail * rowBytes, out);
    else if (negativeTail == tail) distance = forwardDifference(entity + <usize>negativeHead * rowBytes, tailMinusRelation, out);
    else distance = forwardGeneral(entity + <usize>negativeHead * rowBytes, relation + <usize>rel * rowBytes, entity + <usize>negativeTail * rowBytes, out);
    store<f64>(distances + (<usize>(j + 1) << 3), distance);
  }

  const loss = adversarial ? adversarialCoefficients(inverseBatch) : marginCoefficients(inverseBatch);

  gradientOfRow(0, positiveGradient);
  memory.copy(headSum, positiveGradient, rowBytes);
  memory.copy(tailSum, positiveGradient, rowBytes);
  for (let j = 0; j < k; j++) {
    const negativeHead = load<i32>(negativeHeads + ((negativeBase + <usize>j) << 2));
    const negativeTail = load<i32>(negativeTails + ((negativeBase + <usize>j) << 2));
    if (negativeHead == head) {
      scatterKeptSide(j + 1, headSum, touch(entityGradients, entityStamps, entityTouched, entityMeta, negativeTail), -1);
    } else if (negativeTail == tail) {
      scatterKeptSide(j + 1, tailSum, touch(entityGradients, entityStamps, entityTouched, entityMeta, negativeHead), 1);
    } else {
      scatterGeneral(j + 1, negativeHead, rel, negativeTail);
    }
  }

  addRow(touch(entityGradients, entityStamps, entityTouched, entityMeta, head), headSum, 1);
  addRow(touch(entityGradients, entityStamps, entityTouched, entityMeta, tail), tailSum, -1);
  // The relation row takes headSum + tailSum − positiveGradient (the positive's own share was in both sums).
  const relationRow = touch(relationGradients, relationStamps, relationTouched, relationMeta, rel);
  addRow(relationRow, headSum, 1);
  addRow(relationRow, tailSum, 1);
  addRow(relationRow, positiveGradient, -1);
  return loss;
}

/** Adds the gradients of positives [start, end) to this lane's tables; returns the sum of their losses. */
export function accumulate(start: i32, end: i32, inverseBatch: f64): f64 {
  let lossSum: f64 = 0;
  for (let i = start; i < end; i++) lossSum += positive(i, inverseBatch);
  return lossSum;
}

// ---- the update phase ----

/**
 * Adds the gradients of one other lane's table into table 0 for the rows this lane owns (row % lanes ==
 * index), listing in `own` the rows table 0 had not seen in this batch. Returns the new count of `own`.
 */
export function collectRows(baseValues: usize, baseStamps: usize, stamp: i32, values: usize, touched: usize, count: i32, lanes: i32, index: i32, own: usize, owned: i32): i32 {
  for (let i = 0; i < count; i++) {
    const row = load<i32>(touched + (<usize>i << 2));
    if (row % lanes != index) continue;
    const target = baseValues + <usize>row * rowBytes;
    const stampAddress = baseStamps + (<usize>row << 2);
    if (load<i32>(stampAddress) != stamp) {
      // First seen in this lane's table: table 0's row is stale, so copy rather than add.
      store<i32>(stampAddress, stamp);
      store<i32>(own + (<usize>owned << 2), row);
      owned++;
      memory.copy(target, values + <usize>row * rowBytes, rowBytes);
    } else {
      addRow(target, values + <usize>row * rowBytes, 1);
    }
  }
  return owned;
}

/** Lazy Adam on rows[0..count) (see LazyAdam in ../../optimizers.ts: per-row step counts). */
export function adamStep(params: usize, gradients: usize, firstMoment: usize, secondMoment: usize, rowSteps: usize, rows: usize, count: i32, learningRate: f64): void {
  const beta1 = f32x4.splat(<f32>ADAM_BETA1);
  const beta2 = f32x4.splat(<f32>ADAM_BETA2);
  const oneMinusBeta1 = f32x4.splat(<f32>(1 - ADAM_BETA1));
  const oneMinusBeta2 = f32x4.splat(<f32>(1 - ADAM_BETA2));
  const epsilon = f32x4.splat(ADAM_EPSILON);
  for (let i = 0; i < count; i++) {
    const row = load<i32>(rows + (<usize>i << 2));
    const stepsAddress = rowSteps + (<usize>row << 2);
    const steps = load<i32>(stepsAddress) + 1;
    store<i32>(stepsAddress, steps);
    const stepSize = <f32>(learningRate / (1 - Math.pow(ADAM_BETA1, <f64>steps)));
    const inverseRootCorrection = <f32>(1 / Math.sqrt(1 - Math.pow(ADAM_BETA2, <f64>steps)));
    const stepSizes = f32x4.splat(stepSize);
    const corrections = f32x4.splat(inverseRootCorrection);
    const base = <usize>row * rowBytes;
    let offset: usize = 0;
    for (; offset < vectorBytes; offset += 16) {
      const at = base + offset;
      const g = v128.load(gradients + at);
      const first = f32x4.add(f32x4.mul(beta1, v128.load(firstMoment + at)), f32x4.mul(oneMinusBeta1, g));
      const second = f32x4.add(f32x4.mul(beta2, v128.load(secondMoment + at)), f32x4.mul(oneMinusBeta2, f32x4.mul(g, g)));
      v128.store(firstMoment + at, first);
      v128.store(secondMoment + at, second);
      const denominator = f32x4.add(f32x4.mul(f32x4.sqrt(second), corrections), epsilon);
      v128.store(params + at, f32x4.sub(v128.load(params + at), f32x4.div(f32x4.mul(stepSizes, first), denominator)));
    }
    for (; offset < rowBytes; offset += 4) {
      const at = base + offset;
      const g = load<f32>(gradients + at);
      const first = <f32>ADAM_BETA1 * load<f32>(firstMoment + at) + <f32>(1 - ADAM_BETA1) * g;
      const second = <f32>ADAM_BETA2 * load<f32>(secondMoment + at) + <f32>(1 - ADAM_BETA2) * g * g;
      store<f32>(firstMoment + at, first);
      store<f32>(secondMoment + at, second);
      store<f32>(params + at, load<f32>(params + at) - (stepSize * first) / (Mathf.sqrt(second) * inverseRootCorrection + ADAM_EPSILON));
    }
  }
}

/** Adagrad on rows[0..count) (exactly dense Adagrad: untouched rows have zero gradients). */
export function adagradStep(params: usize, gradients: usize, sumOfSquares: usize, rows: usize, count: i32, learningRate: f64): void {
  const rate = f32x4.splat(<f32>learningRate);
  const epsilon = f32x4.splat(ADAGRAD_EPSILON);
  for (let i = 0; i < count; i++) {
    const base = <usize>load<i32>(rows + (<usize>i << 2)) * rowBytes;
    let offset: usize = 0;
    for (; offset < vectorBytes; offset += 16) {
      const at = base + offset;
      const g = v128.load(gradients + at);
      const sum = f32x4.add(v128.load(sumOfSquares + at), f32x4.mul(g, g));
      v128.store(sumOfSquares + at, sum);
      v128.store(params + at, f32x4.sub(v128.load(params + at), f32x4.div(f32x4.mul(rate, g), f32x4.add(f32x4.sqrt(sum), epsilon))));
    }
    for (; offset < rowBytes; offset += 4) {
      const at = base + offset;
      const g = load<f32>(gradients + at);
      const sum = load<f32>(sumOfSquares + at) + g * g;
      store<f32>(sumOfSquares + at, sum);
      store<f32>(params + at, load<f32>(params + at) - (<f32>learningRate * g) / (Mathf.sqrt(sum) + ADAGRAD_EPSILON));
    }
  }
}

/** Rescales rows[0..count) of a table to unit L2 norm. */
export function normalizeRows(values: usize, rows: usize, count: i32): void {
  for (let i = 0; i < count; i++) {
    const base = values + <usize>load<i32>(rows + (<usize>i << 2)) * rowBytes;
    let sum = f32x4.splat(0);
    let offset: usize = 0;
    for (; offset < vectorBytes; offset += 16) {
      const v = v128.load(base + offset);
      sum = f32x4.add(sum, f32x4.mul(v, v));
    }
    let tail: f32 = 0;
    for (; offset < rowBytes; offset += 4) {
      const v = load<f32>(base + offset);
      tail += v * v;
    }
    const scale = <f32>(1 / Math.max(Math.sqrt(<f64>sumLanes(sum) + <f64>tail), NORM_EPSILON));
    const scales = f32x4.splat(scale);
    offset = 0;
    for (; offset < vectorBytes; offset += 16) v128.store(base + offset, f32x4.mul(v128.load(base + offset), scales));
    for (; offset < rowBytes; offset += 4) store<f32>(base + offset, load<f32>(base + offset) * scale);
  }
}

// ---- ranking: one query against every row of a matrix (src/ranking/simdRowScorer.ts) ----

/**
 * out[i] = −distance(query, row i) for rows [0, rows) of a `dim`-wide float32 matrix, L1 or L2: the
 * per-request pass of the API's ranking over the whole catalogue. Stateless (no `configure`): arguments
 * only. Differences, not the ‖q‖² − 2q·p + ‖p‖² expansion, so that float32 keeps near rows apart.
 */
export function negativeDistances(matrix: usize, rows: i32, dim: i32, query: usize, l1: bool, out: usize): void {
  const bytes = <usize>dim << 2;
  const wholeBytes = (<usize>dim >> 2) << 4;
  for (let row = 0; row < rows; row++) {
    const base = matrix + <usize>row * bytes;
    let sumA = f32x4.splat(0);
    let sumB = f32x4.splat(0);
    let offset: usize = 0;
    if (l1) {
      for (; offset + 16 < wholeBytes; offset += 32) {
        sumA = f32x4.add(sumA, f32x4.abs(f32x4.sub(v128.load(query + offset), v128.load(base + offset))));
        sumB = f32x4.add(sumB, f32x4.abs(f32x4.sub(v128.load(query + offset + 16), v128.load(base + offset + 16))));
      }
      for (; offset < wholeBytes; offset += 16) sumA = f32x4.add(sumA, f32x4.abs(f32x4.sub(v128.load(query + offset), v128.load(base + offset))));
      let tail: f32 = 0;
      for (; offset < bytes; offset += 4) tail += Mathf.abs(load<f32>(query + offset) - load<f32>(base + offset));
      store<f32>(out + (<usize>row << 2), -(sumLanes(f32x4.add(sumA, sumB)) + tail));
    } else {
      for (; offset + 16 < wholeBytes; offset += 32) {
        const x = f32x4.sub(v128.load(query + offset), v128.load(base + offset));
        const y = f32x4.sub(v128.load(query + offset + 16), v128.load(base + offset + 16));
        sumA = f32x4.add(sumA, f32x4.mul(x, x));
        sumB = f32x4.add(sumB, f32x4.mul(y, y));
      }
      for (; offset < wholeBytes; offset += 16) {
        const x = f32x4.sub(v128.load(query + offset), v128.load(base + offset));
        sumA = f32x4.add(sumA, f32x4.mul(x, x));
      }
      let tail: f32 = 0;
      for (; offset < bytes; offset += 4) {
        const x = load<f32>(query + offset) - load<f32>(base + offset);
        tail += x * x;
      }
      store<f32>(out + (<usize>row << 2), -Mathf.sqrt(sumLanes(f32x4.add(sumA, sumB)) + tail));
    }
  }
}

// ---- link-prediction evaluation ----

/**
 * Distances between `queryCount` query vectors (consecutive rows from `queries`) and the matrix rows
 * [fromRow, toRow): L1, or squared L2, which ranks alike. out[q * stride + row] (float32). Four queries
 * share each load of a matrix vector, so a tile of rows read once from memory serves a whole batch.
 */
export function distanceBlock(matrix: usize, fromRow: i32, toRow: i32, dim: i32, queries: usize, queryCount: i32, l1: bool, out: usize, stride: i32): void {
  const bytes = <usize>dim << 2;
  const wholeBytes = (<usize>dim >> 2) << 4;
  const outStride = <usize>stride << 2;
  let q = 0;
  for (; q + 4 <= queryCount; q += 4) {
    const q0 = queries + <usize>q * bytes;
    const q1 = q0 + bytes;
    const q2 = q1 + bytes;
    const q3 = q2 + bytes;
    const o0 = out + <usize>q * outStride;
    for (let row = fromRow; row < toRow; row++) {
      const base = matrix + <usize>row * bytes;
      let s0 = f32x4.splat(0);
      let s1 = f32x4.splat(0);
      let s2 = f32x4.splat(0);
      let s3 = f32x4.splat(0);
      let t0: f32 = 0;
      let t1: f32 = 0;
      let t2: f32 = 0;
      let t3: f32 = 0;
      let offset: usize = 0;
      if (l1) {
        for (; offset < wholeBytes; offset += 16) {
          const e = v128.load(base + offset);
          s0 = f32x4.add(s0, f32x4.abs(f32x4.sub(v128.load(q0 + offset), e)));
          s1 = f32x4.add(s1, f32x4.abs(f32x4.sub(v128.load(q1 + offset), e)));
          s2 = f32x4.add(s2, f32x4.abs(f32x4.sub(v128.load(q2 + offset), e)));
          s3 = f32x4.add(s3, f32x4.abs(f32x4.sub(v128.load(q3 + offset), e)));
        }
        for (; offset < bytes; offset += 4) {
          const e = load<f32>(base + offset);
          t0 += Mathf.abs(load<f32>(q0 + offset) - e);
          t1 += Mathf.abs(load<f32>(q1 + offset) - e);
          t2 += Mathf.abs(load<f32>(q2 + offset) - e);
          t3 += Mathf.abs(load<f32>(q3 + offset) - e);
        }
      } else {
        for (; offset < wholeBytes; offset += 16) {
          const e = v128.load(base + offset);
          const d0 = f32x4.sub(v128.load(q0 + offset), e);
          const d1 = f32x4.sub(v128.load(q1 + offset), e);
          const d2 = f32x4.sub(v128.load(q2 + offset), e);
          const d3 = f32x4.sub(v128.load(q3 + offset), e);
          s0 = f32x4.add(s0, f32x4.mul(d0, d0));
          s1 = f32x4.add(s1, f32x4.mul(d1, d1));
          s2 = f32x4.add(s2, f32x4.mul(d2, d2));
          s3 = f32x4.add(s3, f32x4.mul(d3, d3));
        }
        for (; offset < bytes; offset += 4) {
          const e = load<f32>(base + offset);
          const d0 = load<f32>(q0 + offset) - e;
          const d1 = load<f32>(q1 + offset) - e;
          const d2 = load<f32>(q2 + offset) - e;
          const d3 = load<f32>(q3 + offset) - e;
          t0 += d0 * d0;
          t1 += d1 * d1;
          t2 += d2 * d2;
          t3 += d3 * d3;
        }
      }
      const at = o0 + (<usize>row << 2);
      store<f32>(at, sumLanes(s0) + t0);
      store<f32>(at + outStride, sumLanes(s1) + t1);
      store<f32>(at + 2 * outStride, sumLanes(s2) + t2);
      store<f32>(at + 3 * outStride, sumLanes(s3) + t3);
    }
  }
  for (; q < queryCount; q++) {
    const q0 = queries + <usize>q * bytes;
    const o0 = out + <usize>q * outStride;
    for (let row = fromRow; row < toRow; row++) {
      const base = matrix + <usize>row * bytes;
      let s0 = f32x4.splat(0);
      let t0: f32 = 0;
      let offset: usize = 0;
      if (l1) {
        for (; offset < wholeBytes; offset += 16) s0 = f32x4.add(s0, f32x4.abs(f32x4.sub(v128.load(q0 + offset), v128.load(base + offset))));
        for (; offset < bytes; offset += 4) t0 += Mathf.abs(load<f32>(q0 + offset) - load<f32>(base + offset));
      } else {
        for (; offset < wholeBytes; offset += 16) {
          const d = f32x4.sub(v128.load(q0 + offset), v128.load(base + offset));
          s0 = f32x4.add(s0, f32x4.mul(d, d));
        }
        for (; offset < bytes; offset += 4) {
          const d = load<f32>(q0 + offset) - load<f32>(base + offset);
          t0 += d * d;
        }
      }
      store<f32>(o0 + (<usize>row << 2), sumLanes(s0) + t0);
    }
  }
}
