import { describe, expect, it } from 'vitest';
import { Random } from '../../src/math/random.js';
import { batchLossAndGradients, score, type TransELossSettings } from '../../src/kge/transe.js';
import type { Distance, Embeddings, LossKind, TripleSet } from '../../src/kge/types.js';

/*
 * A hand-worked example, dimension 2, margin γ = 1, temperature α = 1:
 *   e0 = (0.1, 0.2), e1 = (0.2, −0.3), e2 = (−0.5, 0.6), w0 = (0.3, 0.1)
 *   positive  (0, 0, 1): x = e0 + w0 − e1 = (0.2, 0.6)    L1 0.8   L2 √0.40 = 0.632456
 *   negative1 (0, 0, 2): x = e0 + w0 − e2 = (0.9, −0.3)   L1 1.2   L2 √0.90 = 0.948683
 *   negative2 (2, 0, 1): x = e2 + w0 − e1 = (−0.4, 1.0)   L1 1.4   L2 √1.16 = 1.077033
 * ∂d/∂x is sign(x) for L1 and x/‖x‖ for L2; a triple's gradient c·∂d/∂x goes +1× to its head and relation
 * rows and −1× to its tail row, with c = ∂loss/∂d.
 */
const example: Embeddings = {
  dimension: 2,
  entity: Float32Array.from([0.1, 0.2, 0.2, -0.3, -0.5, 0.6]),
  relation: Float32Array.from([0.3, 0.1]),
};
const positive: TripleSet = { heads: Int32Array.of(0), relations: Int32Array.of(0), tails: Int32Array.of(1) };
const oneNegative = { heads: Int32Array.of(0), tails: Int32Array.of(2) };
const twoNegatives = { heads: Int32Array.of(0, 2), tails: Int32Array.of(2, 1) };

const settings = (distance: Distance, loss: LossKind): TransELossSettings => ({ dimension: 2, distance, loss, margin: 1, adversarialTemperature: 1 });

function expectClose(actual: Float32Array, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  expected.forEach((value, i) => expect(actual[i]).toBeCloseTo(value, 5));
}

describe('TransE score', () => {
  it('is minus the distance', () => {
    expect(score(example, 'L1', 0, 0, 1)).toBeCloseTo(-0.8, 6);
    expect(score(example, 'L2', 0, 0, 1)).toBeCloseTo(-Math.sqrt(0.4), 6);
  });
});

describe('TransE loss and gradients, by hand', () => {
  it('margin loss, L1', () => {
    // Hinge 1 + 0.8 − 1.2 = 0.6 > 0, so c = +1 for the positive and −1 for the negative.
    // sign(x+) = (1, 1), sign(x−) = (1, −1):
    //   e0 (head of both) = (1, 1) − (1, −1) = (0, 2); w0 the same; e1 = −(1, 1); e2 = −(−1)(1, −1) = (1, −1).
    const result = batchLossAndGradients(example, settings('L1', 'margin'), positive, oneNegative);
    expect(result.loss).toBeCloseTo(0.6, 5);
    expectClose(result.entity, [0, 2, -1, -1, 1, -1]);
    expectClose(result.relation, [0, 2]);
  });

  it('margin loss, L2', () => {
    // Hinge 1 + 0.632456 − 0.948683 = 0.683772; x+/‖x+‖ = (0.316228, 0.948683), x−/‖x−‖ = (0.948683, −0.316228):
    //   e0 = w0 = (0.316228 − 0.948683, 0.948683 + 0.316228) = (−0.632456, 1.264911),
    //   e1 = (−0.316228, −0.948683), e2 = (0.948683, −0.316228).
    const result = batchLossAndGradients(example, settings('L2', 'margin'), positive, oneNegative);
    expect(result.loss).toBeCloseTo(0.683772, 5);
    expectClose(result.entity, [-0.632456, 1.264911, -0.316228, -0.948683, 0.948683, -0.316228]);
    expectClose(result.relation, [-0.632456, 1.264911]);
  });

  it('margin loss: a satisfied pair contributes nothing', () => {
    // γ = 0.1: 0.1 + 0.8 − 1.2 < 0.
    const result = batchLossAndGradients(example, { ...settings('L1', 'margin'), margin: 0.1 }, positive, oneNegative);
    expect(result.loss).toBe(0);
    expect(result.entity.every((g) => g === 0)).toBe(true);
  });

  it('self-adversarial loss, L1', () => {
    // Weights: softmax(γ − d) = softmax(−0.2, −0.4): p1 = σ(0.2) = 0.549834, p2 = 0.450166.
    // Loss = softplus(0.8 − 1) + p1 softplus(1 − 1.2) + p2 softplus(1 − 1.4)
    //      = 0.598139 + 0.549834 · 0.598139 + 0.450166 · 0.513015 = 1.157958.
    // c+ = σ(d+ − γ) = σ(−0.2) = 0.450166; c1 = −p1 σ(γ − d1) = −0.247517; c2 = −p2 σ(−0.4) = −0.180657.
    // sign(x1) = (1, −1), sign(x2) = (−1, 1):
    //   e0 = c+ (1, 1) + c1 (1, −1)                 = (0.202649, 0.697683)
    //   e1 = −c+ (1, 1) − c2 (−1, 1)                = (−0.630823, −0.269509)
    //   e2 = c2 (−1, 1) − c1 (1, −1)                = (0.428174, −0.428174)
    //   w0 = c+ (1, 1) + c1 (1, −1) + c2 (−1, 1)    = (0.383307, 0.517025)
    const result = batchLossAndGradients(example, settings('L1', 'self-adversarial'), positive, twoNegatives);
    expect(result.loss).toBeCloseTo(1.157958, 5);
    expectClose(result.entity, [0.202649, 0.697683, -0.630823, -0.269509, 0.428174, -0.428174]);
    expectClose(result.relation, [0.383307, 0.517025]);
  });

  it('self-adversarial loss, L2', () => {
    // Weights: softmax(1 − 0.948683, 1 − 1.077033): p1 = σ(0.128350) = 0.532043, p2 = 0.467957.
    // Loss = softplus(0.632456 − 1) + p1 softplus(0.051317) + p2 softplus(−0.077033)
    //      = 0.526167 + 0.532043 · 0.719135 + 0.467957 · 0.655372 = 1.215464.
    // c+ = σ(−0.367544) = 0.409134; c1 = −p1 σ(0.051317) = −0.272846; c2 = −p2 σ(−0.077033) = −0.224971.
    // Unit vectors u+ = (0.316228, 0.948683), u1 = (0.948683, −0.316228), u2 = (−0.371391, 0.928477):
    //   e0 = c+ u+ + c1 u1 = (−0.129465, 0.474421)       e1 = −c+ u+ − c2 u2 = (−0.212932, −0.179259)
    //   e2 = c2 u2 − c1 u1 = (0.342396, −0.295162)       w0 = c+ u+ + c1 u1 + c2 u2 = (−0.045913, 0.265540)
    const result = batchLossAndGradients(example, settings('L2', 'self-adversarial'), positive, twoNegatives);
    expect(result.loss).toBeCloseTo(1.215464, 5);
    expectClose(result.entity, [-0.129465, 0.474421, -0.212932, -0.179259, 0.342396, -0.295162]);
    expectClose(result.relation, [-0.045913, 0.26554]);
  });

  it('regularisation adds λ‖row‖² for each distinct row of the batch, and 2λ·row to its gradient', () => {
    const plain = batchLossAndGradients(example, settings('L1', 'margin'), positive, oneNegative);
    const regularised = batchLossAndGradients(example, { ...settings('L1', 'margin'), regularization: 0.5 }, positive, oneNegative);
    // ‖e0‖² + ‖e1‖² + ‖e2‖² + ‖w0‖² = 0.05 + 0.13 + 0.61 + 0.10 = 0.89.
    expect(regularised.loss - plain.loss).toBeCloseTo(0.5 * 0.89, 5);
    expect(regularised.entity[4]! - plain.entity[4]!).toBeCloseTo(2 * 0.5 * -0.5, 5);
    expect(regularised.relation[1]! - plain.relation[1]!).toBeCloseTo(2 * 0.5 * 0.1, 5);
  });
});

/**
 * The batch loss written the plain way (every distance from scratch, no shared sums), with the
 * self-adversarial weights either computed or given: the analytic gradient is the gradient of the loss in
 * which those weights are constants, so that is what finite differences must perturb.
 */
function referenceLoss(
  embeddings: Embeddings,
  config: TransELossSettings & { regularization: number },
  positives: TripleSet,
  negatives: { heads: Int32Array; tails: Int32Array },
  frozenWeights?: number[][],
): { loss: number; weights: number[][] } {
  const { dimension, entity, relation } = embeddings;
  const distance = (h: number, r: number, t: number): number => {
    let sum = 0;
    for (let d = 0; d < dimension; d += 1) {
      const x = entity[h * dimension + d]! + relation[r * dimension + d]! - entity[t * dimension + d]!;
      sum += config.distance === 'L1' ? Math.abs(x) : x * x;
    }
    return config.distance === 'L1' ? sum : Math.sqrt(sum);
  };
  const logSigmoid = (z: number): number => -Math.log1p(Math.exp(-z));
  const count = positives.heads.length;
  const k = negatives.heads.length / count;
  const weights: number[][] = [];
  let total = 0;
  for (let i = 0; i < count; i += 1) {
    const r = positives.relations[i]!;
    const positive = distance(positives.heads[i]!, r, positives.tails[i]!);
    const negative = Array.from({ length: k }, (_, j) => distance(negatives.heads[i * k + j]!, r, negatives.tails[i * k + j]!));
    if (config.loss === 'margin') {
      for (const d of negative) total += Math.max(0, config.margin + positive - d) / k;
      continue;
    }
    const exps = negative.map((d) => Math.exp(config.adversarialTemperature * (config.margin - d)));
    const sum = exps.reduce((a, b) => a + b, 0);
    const p = frozenWeights?.[i] ?? exps.map((e) => e / sum);
    weights.push(p);
    total += -logSigmoid(config.margin - positive);
    negative.forEach((d, j) => (total -= p[j]! * logSigmoid(d - config.margin)));
  }
  let penalty = 0;
  const entities = new Set([...positives.heads, ...positives.tails, ...negatives.heads, ...negatives.tails]);
  for (const e of entities) for (let d = 0; d < dimension; d += 1) penalty += entity[e * dimension + d]! ** 2;
  for (const r of new Set(positives.relations)) for (let d = 0; d < dimension; d += 1) penalty += relation[r * dimension + d]! ** 2;
  return { loss: total / count + config.regularization * penalty, weights };
}

describe('TransE gradients against finite differences', () => {
  const entityCount = 7;
  const relationCount = 3;
  const dimension = 5;
  const batch = 4;
  const k = 3;

  /** A random batch whose negatives corrupt the head, the tail, or (as other engines may) both. */
  function randomProblem(seed: number) {
    const random = new Random(seed);
    const embeddings: Embeddings = {
      dimension,
      entity: Float32Array.from({ length: entityCount * dimension }, () => random.uniform(-1, 1)),
      relation: Float32Array.from({ length: relationCount * dimension }, () => random.uniform(-1, 1)),
    };
    const positives: TripleSet = {
      heads: Int32Array.from({ length: batch }, () => random.nextInt(entityCount)),
      relations: Int32Array.from({ length: batch }, () => random.nextInt(relationCount)),
      tails: Int32Array.from({ length: batch }, () => random.nextInt(entityCount)),
    };
    const negatives = { heads: new Int32Array(batch * k), tails: new Int32Array(batch * k) };
    for (let i = 0; i < batch * k; i += 1) {
      const positive = Math.floor(i / k);
      const side = i % 3;
      negatives.heads[i] = side === 1 ? positives.heads[positive]! : random.nextInt(entityCount);
      negatives.tails[i] = side === 0 ? positives.tails[positive]! : random.nextInt(entityCount);
    }
    return { embeddings, positives, negatives };
  }

  /** The same batch with the first negative of each positive made reflexive, (h, r, h): distance ‖w_r‖. */
  function withReflexive(problem: ReturnType<typeof randomProblem>) {
    const heads = problem.negatives.heads.slice();
    const tails = problem.negatives.tails.slice();
    for (let positive = 0; positive < batch; positive += 1) {
      heads[positive * k] = problem.positives.heads[positive]!;
      tails[positive * k] = problem.positives.heads[positive]!;
    }
    return { ...problem, negatives: { heads, tails } };
  }

  const cases: Array<[Distance, LossKind, number]> = [
    ['L1', 'margin', 2],
    ['L2', 'margin', 2],
    ['L1', 'self-adversarial', 3],
    ['L2', 'self-adversarial', 3],
  ];
  it.each(cases.flatMap(([distance, loss, margin]) => [false, true].map((reflexive) => [distance, loss, margin, reflexive] as const)))('%s distance, %s loss (γ %i, reflexive negatives: %s)', (distance, loss, margin, reflexive) => {
    const { embeddings, positives, negatives } = reflexive ? withReflexive(randomProblem(11)) : randomProblem(11);
    const config = { dimension, distance, loss, margin, adversarialTemperature: 0.7, regularization: 0.01 };
    const analytic = batchLossAndGradients(embeddings, config, positives, negatives);
    const reference = referenceLoss(embeddings, config, positives, negatives);
    expect(analytic.loss).toBeCloseTo(reference.loss, 6);

    const frozen = reference.weights;
    const step = 1e-3;
    let worst = 0;
    for (const [table, gradient] of [
      [embeddings.entity, analytic.entity],
      [embeddings.relation, analytic.relation],
    ] as const) {
      for (let i = 0; i < table.length; i += 1) {
        const original = table[i]!;
        // The float32 table rounds the perturbed values: divide by the step actually taken.
        table[i] = original + step;
        const up = table[i]!;
        const lossUp = referenceLoss(embeddings, config, positives, negatives, frozen).loss;
        table[i] = original - step;
        const down = table[i]!;
        const lossDown = referenceLoss(embeddings, config, positives, negatives, frozen).loss;
        table[i] = original;
        const numeric = (lossUp - lossDown) / (up - down);
        const error = Math.abs(numeric - gradient[i]!) / Math.max(Math.abs(gradient[i]!), 1e-2);
        worst = Math.max(worst, error);
      }
    }
    expect(worst).toBeLessThan(1e-3);
  });
});
