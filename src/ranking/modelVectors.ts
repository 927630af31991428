import { entityKey } from '../graph/tripleExport.js';
import type { StoredModel } from '../kge/modelStore.js';
import type { Distance } from '../kge/types.js';

/**
 * A trained model as the ranker reads it: vectors looked up by entity (`Product:p-1`, `User:u-7`,
 * `Term:shoe`) and relation name, as views into the model's one flat array (nothing is copied).
 */
export class ModelVectors {
  readonly version: string;
  readonly dimension: number;
  readonly distance: Distance;
  /** When the model was trained: behaviour after this is not in its vectors yet. */
  readonly trainedAt: number;
  /** What it was trained on (`shop` or `benchmark`); absent in models saved before it was recorded. */
  readonly trainedOn: string | undefined;
  private readonly entityRows = new Map<string, number>();
  private readonly relationRows = new Map<string, number>();
  /** The model's vocabulary: every term it has a vector for. */
  readonly terms: string[] = [];

  /** `trainedAt` defaults to the model's creation time; offline evaluation sets the end of its training period. */
  constructor(
    private readonly model: StoredModel,
    trainedAt?: number,
  ) {
    this.version = model.manifest.version;
    this.dimension = model.embeddings.dimension;
    this.distance = model.manifest.distance;
    this.trainedAt = trainedAt ?? Date.parse(model.manifest.createdAt);
    this.trainedOn = model.manifest.trainedOn;
    model.entities.forEach((key, row) => {
      this.entityRows.set(key, row);
      if (key.startsWith(TERM_PREFIX)) this.terms.push(key.slice(TERM_PREFIX.length));
    });
    model.relations.forEach((name, row) => this.relationRows.set(name, row));
  }

  entity(label: string, id: string): Float32Array | null {
    const row = this.entityRows.get(entityKey(label, id));
    return row === undefined ? null : this.model.embeddings.entity.subarray(row * this.dimension, (row + 1) * this.dimension);
  }

  /**
   * Forgets entities (keys such as `User:u-7`) at once, for a data-deletion request: their lookups fail
   * from now on and their rows are zeroed in memory. The files on disk are rewritten separately
   * (src/kge/modelStore.ts removeEntities). Returns how many were known.
   */
  forget(keys: Iterable<string>): number {
    let forgotten = 0;
    for (const key of keys) {
      const row = this.entityRows.get(key);
      if (row === undefined) continue;
      this.entityRows.delete(key);
      this.model.embeddings.entity.fill(0, row * this.dimension, (row + 1) * this.dimension);
      forgotten += 1;
    }
    return forgotten;
  }

  relation(name: string): Float32Array | null {
    const row = this.relationRows.get(name);
    return row === undefined ? null : this.model.embeddings.relation.subarray(row * this.dimension, (row + 1) * this.dimension);
  }

  /**
   * The point in product space that an entity linked to a product by `relation` implies: TransE learns
   * product + r ≈ tail, so tail − r is where such a product should sit. Null when either is unknown.
   */
  productPointFor(label: string, id: string, relation: string): Float32Array | null {
    const tail = this.entity(label, id);
    const r = this.relation(relation);
    if (!tail || !r) return null;
    const point = new Float32Array(this.dimension);
    for (let i = 0; i < this.dimension; i += 1) point[i] = (tail[i] ?? 0) - (r[i] ?? 0);
    return point;
  }
}

const TERM_PREFIX = entityKey('Term', '');
