import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServingRanker } from '../../src/api/servingRanker.js';
import { userPseudonym } from '../../src/graph/audit.js';
import { runTrainingJob } from '../../src/jobs/train.js';
import { checkpointsRoot, loadCheckpoint, saveCheckpoint } from '../../src/kge/checkpoints.js';
import { resolveHyperparameters } from '../../src/kge/hyperparameters.js';
import { listModels, loadModel } from '../../src/kge/modelStore.js';
import { startHarness, TOKENS, type Harness } from './harness.js';

/**
 * A deleted user is served exactly as a never-seen one: by the fused ranker on a ranking thread, with a
 * trained model, and after an older model version is activated; and their id is gone from the change feed,
 * the audit trail and every model file.
 */

let h: Harness;
let older: string;
let newer: string;

const RECOMMEND = `query ($u: ID!) { recommend(userId: $u, first: 8, explain: true) {
  strategy modelVersion items { product { id } score reasons { kind text path } breakdown { name value weight contribution } } } }`;
const DELETE = 'mutation ($u: ID!) { deleteUserData(userId: $u) { userId events behaviours userDeleted modelVersions unreadableModelVersions trainingCheckpoints } }';
const ACTIVATE = 'mutation ($v: String!) { activateModel(version: $v) { version } }';
const NEVER_SEEN = 'never-seen-shopper';

const admin = <T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}) => h.gql<T>(query, variables, TOKENS.admin);

async function recommend(userId: string, token?: string): Promise<unknown> {
  const response = await h.gql<{ recommend: unknown }>(RECOMMEND, { u: userId }, token);
  expect(response.errors).toBeUndefined();
  return response.data?.recommend;
}

/** Users with purchases, most active first. */
async function buyers(count: number): Promise<string[]> {
  const rows = await h.graph.read<{ id: string }>(
    'MATCH (u:User)-[:PURCHASED]->() WITH u, count(*) AS bought WHERE bought >= 2 RETURN u.id AS id ORDER BY COUNT { (u)-->() } DESC, id LIMIT toInteger($n)',
    { n: count },
  );
  return rows.map((row) => row.id);
}

const versionFiles = (version: string): string[] => readdirSync(path.join(h.api.modelsDir, version)).map((name) => path.join(h.api.modelsDir, version, name));

beforeAll(async () => {
  // No model of the harness's: the test trains the two versions it needs.
  h = await startHarness({
    model: false,
    api: { rankingThreads: 1, auditIdKey: 'audit-key-for-the-deletion-test' },
    ranker: (graph, config, api) => createServingRanker({ graph, config, api, logger: pino({ level: 'silent' }) }),
  });
  const train = async (seed: number) =>
    (
      await runTrainingJob({
        source: { kind: 'graph', graph: h.graph, config: h.config },
        hyperparameters: [{ dimension: 16, epochs: 8, negatives: 8, seed }],
        modelsDir: h.api.modelsDir,
        evalEvery: 0,
        holdout: { valid: 0.02, test: 0.02 },
      })
    ).version;
  older = await train(1);
  newer = await train(2);
  expect((await admin(ACTIVATE, { v: newer })).errors).toBeUndefined();
}, 240_000);

afterAll(async () => {
  await h?.stop();
});

describe('deleteUserData with the fused ranker and trained models', () => {
  it('serves a deleted user exactly as a never-seen one, also after an older version is activated', async () => {
    const [target, other] = await buyers(2);
    if (!target || !other) throw new Error('the demo shop has no buyers');
    // A change-feed entry naming the target and another user, as one recordEvents call makes.
    const events = [
      { id: 'deletion-feed-1', userId: target, productId: 'p-00001', type: 'VIEW' },
      { id: 'deletion-feed-2', userId: other, productId: 'p-00002', type: 'VIEW' },
    ];
    expect((await h.gql('mutation ($e: [EventInput!]!) { recordEvents(events: $e) { created } }', { e: events }, TOKENS.frontend)).errors).toBeUndefined();

    const before = (await recommend(target, TOKENS.frontend)) as { strategy: string; modelVersion: string };
    expect(before).toMatchObject({ strategy: 'fused', modelVersion: newer });
    expect(before).not.toEqual(await recommend(NEVER_SEEN, TOKENS.frontend));

    const deleted = await admin<{ deleteUserData: Record<string, unknown> }>(DELETE, { u: target });
    expect(deleted.errors).toBeUndefined();
    expect(deleted.data?.deleteUserData).toMatchObject({ userId: target, userDeleted: true, modelVersions: 2, unreadableModelVersions: [] });

    for (const token of [TOKENS.frontend, undefined]) {
      expect(await recommend(target, token)).toEqual(await recommend(NEVER_SEEN, token));
    }

    expect((await admin(ACTIVATE, { v: older })).errors).toBeUndefined();
    const afterActivation = (await recommend(target, TOKENS.frontend)) as { modelVersion: string };
    expect(afterActivation.modelVersion).toBe(older);
    expect(afterActivation).toEqual(await recommend(NEVER_SEEN, TOKENS.frontend));
    expect((await admin(ACTIVATE, { v: newer })).errors).toBeUndefined();

    // The feed: the target's id is gone, the other user's stays, and an erasure notice names nobody.
    const feed = await h.graph.read<{ userIds: string[]; erasure: boolean | null }>('MATCH (c:BehaviourChange) RETURN c.userIds AS userIds, c.erasure AS erasure');
    expect(feed.filter((change) => change.userIds.includes(target))).toEqual([]);
    expect(feed.some((change) => change.userIds.includes(other))).toBe(true);
    expect(feed.some((change) => change.erasure === true && change.userIds.length === 0)).toBe(true);
  });

  it('removes the checkpoints a stopped training left, which hold every user\'s vector', async () => {
    const [, , , target] = await buyers(4);
    if (!target) throw new Error('the demo shop has too few buyers');
    // What a training killed after an epoch leaves: a checkpoint of every entity's vector, never saved as a version.
    const crashed = path.join(checkpointsRoot(h.api.modelsDir), 'run-stopped-after-epoch-3');
    const embeddings = { dimension: 4, entity: new Float32Array(40).fill(0.5), relation: new Float32Array(8).fill(0.25) };
    await saveCheckpoint(crashed, { epoch: 3, embeddings, hyperparameters: resolveHyperparameters({ dimension: 4 }), dataFingerprint: 'before-the-deletion' });
    expect(await loadCheckpoint(crashed)).not.toBeNull();

    const deleted = await admin<{ deleteUserData: Record<string, unknown> }>(DELETE, { u: target });
    expect(deleted.errors).toBeUndefined();
    expect(deleted.data?.deleteUserData).toMatchObject({ userId: target, trainingCheckpoints: 1 });
    expect(existsSync(checkpointsRoot(h.api.modelsDir))).toBe(false);
  });

  it('removes a vector left in the models by an earlier deletion, at once on the serving thread', async () => {
    const [, , target] = await buyers(3);
    if (!target) throw new Error('the demo shop has too few buyers');
    // The graph's data gone by hand (as the deletion of older releases left it): only the models know the user.
    await h.graph.write('MATCH (u:User {id: $u}) DETACH DELETE u', { u: target });
    await h.graph.write('MATCH (e:Event {userId: $u}) DELETE e', { u: target });
    const stale = (await recommend(target, TOKENS.frontend)) as { strategy: string };
    expect(stale.strategy).toBe('fused'); // the trained vector still places the user
    expect(stale).not.toEqual(await recommend(NEVER_SEEN, TOKENS.frontend));

    const deleted = await admin<{ deleteUserData: Record<string, unknown> }>(DELETE, { u: target });
    expect(deleted.data?.deleteUserData).toMatchObject({ events: 0, behaviours: 0, userDeleted: false, modelVersions: 2 });
    expect(await recommend(target, TOKENS.frontend)).toEqual(await recommend(NEVER_SEEN, TOKENS.frontend));

    // Nothing left to delete: nothing done, nothing recorded.
    const again = await admin<{ deleteUserData: Record<string, unknown> }>(DELETE, { u: target });
    expect(again.data?.deleteUserData).toMatchObject({ events: 0, behaviours: 0, userDeleted: false, modelVersions: 0 });
  });

  it('leaves every model version loadable and consistent, without the deleted ids', async () => {
    const deletedIds = (await h.graph.read<{ summary: string }>("MATCH (a:AuditEntry {action: 'deleteUserData'}) RETURN a.summary AS summary")).length;
    // The three deletions of the tests above.
    expect(deletedIds).toBe(3);
    const listings = await listModels(h.api.modelsDir);
    expect(listings.map((listing) => listing.version).sort()).toEqual([older, newer].sort());
    for (const listing of listings) {
      expect(listing.error).toBeUndefined();
      const model = await loadModel(h.api.modelsDir, listing.version);
      expect(model.manifest.erasedEntities).toBe(3);
      expect(model.entities).toHaveLength(model.manifest.entityCount);
      expect(model.embeddings.entity).toHaveLength(model.manifest.entityCount * model.manifest.dimension);
      expect(model.entities.some((id) => id.startsWith('User:'))).toBe(true);
      // Only the files the manifest names are left: the old tables went with the switch.
      const named = new Set(Object.values(model.manifest.files));
      for (const file of versionFiles(listing.version)) {
        const name = path.basename(file);
        if (name.endsWith('.f32') || name.startsWith('entity-ids')) expect(named.has(name), name).toBe(true);
      }
    }
  });

  it('explains with the shopper\'s history only to callers allowed to see it', async () => {
    const [buyer] = await buyers(1);
    if (!buyer) throw new Error('no buyer left');
    type Listed = { strategy: string; items: Array<{ product: { id: string }; reasons: Array<{ text: string; path: string[] | null }> }> };
    const personal = (reason: { text: string; path: string[] | null }): boolean =>
      /\byou(r)?\b/i.test(reason.text) || (reason.path ?? []).some((node) => node.startsWith('User:'));
    const full = (await recommend(buyer, TOKENS.frontend)) as Listed;
    expect(full.items.flatMap((item) => item.reasons).some(personal)).toBe(true);
    const anonymous = (await recommend(buyer)) as Listed;
    expect(anonymous.strategy).toBe('fused');
    expect(anonymous.items.map((item) => item.product.id)).toEqual(full.items.map((item) => item.product.id));
    for (const item of anonymous.items) {
      expect(item.reasons.length, item.product.id).toBeGreaterThan(0);
      for (const reason of item.reasons) expect(personal(reason), reason.text).toBe(false);
    }
  });

  it('keeps only a keyed one-way pseudonym of the id in the audit trail, found when asked for by the id', async () => {
    const [target] = await buyers(1);
    if (!target) throw new Error('no buyer left');
    const first = await admin<{ deleteUserData: { events: number } }>(DELETE, { u: target });
    expect(first.errors).toBeUndefined();
    const entries = await h.graph.read<{ entityId: string; summary: string; editor: string }>(
      'MATCH (a:AuditEntry) RETURN a.entityId AS entityId, a.summary AS summary, a.editor AS editor',
    );
    for (const entry of entries) expect(JSON.stringify(entry)).not.toContain(target);
    const pseudonym = userPseudonym(target, 'audit-key-for-the-deletion-test');
    expect(pseudonym).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    const log = await admin<{ auditLog: { nodes: Array<{ entityId: string; action: string; summary: string }> } }>(
      'query ($u: ID) { auditLog(entityId: $u) { nodes { entityId action summary } } }',
      { u: target },
    );
    expect(log.data?.auditLog.nodes).toHaveLength(1);
    expect(log.data?.auditLog.nodes[0]).toMatchObject({ entityId: pseudonym, action: 'deleteUserData' });
    expect(JSON.parse(log.data?.auditLog.nodes[0]?.summary ?? '{}')).toMatchObject({ user: true, events: first.data?.deleteUserData.events, modelVersions: 2 });
    for (const file of [older, newer].flatMap(versionFiles)) {
      if (existsSync(file) && file.endsWith('.json')) expect(readFileSync(file, 'utf8')).not.toContain(`"User:${target}"`);
    }
  });
});
