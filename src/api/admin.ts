import { pseudonymiseUserEntries, recordAudit, recordAuditAlone, userPseudonym } from '../graph/audit.js';
import { deleteUserData as deleteUserGraphData, type DeletedUserData } from '../graph/userData.js';
import { activateAndWriteBack } from '../jobs/activate.js';
import type { JobMetrics } from '../jobs/trainingJobRecords.js';
import { TrainingConflictError, type TrainingJob } from '../jobs/trainingJobs.js';
import { activeVersion, ForeignModelError, listModels, removeEntities, type EntityErasureResult } from '../kge/modelStore.js';
import { removeAllCheckpoints } from '../kge/checkpoints.js';
import { entityKey } from '../graph/tripleExport.js';
import type { ApiContext } from './context.js';
import { badInput, conflict, notFound } from './errors.js';
import { editor, guard, guardQuery } from './guard.js';
import { validateId, validateRetraining } from './inputs.js';

/**
 * Admin operations: retraining in a process of its own (src/jobs/trainingJobs.ts), activating a model version
 * (src/jobs/activate.ts) and deleting one user's data on request. Each is recorded in the audit trail.
 */

async function startRetraining(_: unknown, args: { options?: Record<string, unknown> | null }, ctx: ApiContext): Promise<TrainingJob> {
  const principal = guard(ctx, 'startRetraining');
  let options = validateRetraining(args.options);
  const running = await ctx.jobs.active();
  if (running) throw conflict(new TrainingConflictError(running).message, { jobId: running.id });
  if (options.warmStart) {
    const active = await activeVersion(ctx.config.modelsDir);
    if (active === null) throw badInput('options.warmStart', 'there is no active model to start from; train without warmStart first');
    const listing = (await listModels(ctx.config.modelsDir)).find((model) => model.version === active);
    const dimension = listing?.manifest?.dimension;
    if (options.dimension !== undefined && dimension !== undefined && options.dimension !== dimension) {
      throw badInput('options.dimension', `a warm start keeps the active model's dimension (${dimension}), got ${options.dimension}`);
    }
    // Vectors carry over only at the same dimension, so a warm start takes the active model's by default.
    if (options.dimension === undefined && dimension !== undefined) options = { ...options, dimension };
  }
  let job: TrainingJob;
  try {
    job = await ctx.jobs.start(options, editor(principal));
  } catch (error) {
    // Another request started one between the check above and here.
    if (error instanceof TrainingConflictError) throw conflict(error.message, { jobId: error.running.id });
    throw error;
  }
  await recordAuditAlone(ctx.graph, { editor: editor(principal), entityType: 'trainingJob', entityId: job.id, action: 'start', summary: { options } });
  return job;
}

interface ModelActivation {
  version: string;
  previousVersion: string | null;
  vectorsWritten: number;
  seconds: number;
}

async function activateModel(_: unknown, args: { version: string }, ctx: ApiContext): Promise<ModelActivation> {
  const principal = guard(ctx, 'activateModel');
  const { modelsDir } = ctx.config;
  // Only versions listed in the models folder are accepted: the name never reaches the file system unchecked.
  const listing = (await listModels(modelsDir)).find((model) => model.version === args.version);
  if (!listing) throw notFound('model', args.version);
  if (!listing.manifest) throw badInput('version', `model ${args.version} cannot be read: ${listing.error}`);
  const previousVersion = await activeVersion(modelsDir);
  // Vectors are written in batches of their own transactions before the switch (see activate.ts), so the
  // audit entry follows the activation rather than sharing a transaction with it.
  const result = await activateAndWriteBack(modelsDir, args.version, ctx.graph).catch((error: unknown) => {
    throw error instanceof ForeignModelError ? badInput('version', error.message) : error;
  });
  const vectorsWritten = Object.values(result.written).reduce((sum, count) => sum + count, 0);
  const summary = { before: { version: previousVersion }, after: { version: args.version }, written: result.written };
  await recordAuditAlone(ctx.graph, { editor: editor(principal), entityType: 'model', entityId: args.version, action: 'activate', summary });
  ctx.ranker.invalidate();
  return { version: args.version, previousVersion, vectorsWritten, seconds: result.seconds };
}

interface UserDataDeletion {
  userId: string;
  events: number;
  behaviours: number;
  userDeleted: boolean;
  servedLists: number;
  modelVersions: number;
  unreadableModelVersions: string[];
  /** Runs whose training checkpoints were removed (0 when a training was running: they go as it ends). */
  trainingCheckpoints: number;
}

/** Removes the user's row from every saved model version; versions that cannot be read are logged. */
async function eraseFromModels(ctx: ApiContext, userId: string): Promise<EntityErasureResult> {
  const result = await removeEntities(ctx.config.modelsDir, [entityKey('User', userId)]);
  for (const { version, error } of result.unreadable) {
    ctx.logger.error({ version, error }, 'a model version cannot be read, so a deleted user could not be removed from it: repair or remove it');
  }
  return result;
}

/**
 * Deletes one user's data everywhere kgrec keeps it: the graph (events, behaviour, user node, change feed),
 * every saved model version, the served models in memory (on every ranking thread) and, in the audit
 * trail, their id, which gives way to a one-way pseudonym: the trail keeps who deleted data and when.
 */
async function deleteUserData(_: unknown, args: { userId: string }, ctx: ApiContext): Promise<UserDataDeletion> {
  const principal = guard(ctx, 'deleteUserData');
  const userId = validateId('userId', args.userId);
  // Lists still waiting in the buffer go, and writes under way finish, before the graph's lists are deleted.
  await ctx.servedLists.forgetUser(userId);
  // The files first: should the graph's part fail, the data is still there and a retry finds the files done.
  const models = await eraseFromModels(ctx, userId);
  const pseudonym = userPseudonym(userId, ctx.config.auditIdKey);
  const deleted = await ctx.graph.transaction(async (tx): Promise<DeletedUserData> => {
    const counts = await deleteUserGraphData(tx, userId);
    const earlierEntries = await pseudonymiseUserEntries(tx, userId, pseudonym);
    if (counts.events > 0 || counts.behaviours > 0 || counts.user || counts.changes > 0 || counts.servedLists > 0 || models.versions.length > 0) {
      const summary = {
        events: counts.events,
        servedLists: counts.servedLists,
        behaviours: counts.behaviours,
        user: counts.user,
        changeFeedEntries: counts.changes,
        modelVersions: models.versions.length,
        earlierAuditEntries: earlierEntries,
      };
      await recordAudit(tx, { editor: editor(principal), entityType: 'user', entityId: pseudonym, action: 'deleteUserData', summary });
    }
    return counts;
  });
  // The user's behaviour counted towards popularity and co-purchases.
  if (deleted.behaviours > 0) ctx.ranker.invalidate({ behaviour: true });
  ctx.ranker.forgetUsers?.([userId]);
  // Experiments' variant rankers hold their own models and neighbour lists.
  if (deleted.behaviours > 0) ctx.variantRankers.invalidate({ behaviour: true });
  ctx.variantRankers.forgetUsers([userId]);
  ctx.ranker.behaviourChanged?.([userId]);
  ctx.loaders.userExists.clear(userId);
  ctx.loaders.behaviours.clear(userId);
  // A training job running now read the graph before the deletion: the version it saves is cleaned as it
  // ends, and the checkpoints it leaves (should it fail) go then. Without one, checkpoints go at once.
  let trainingCheckpoints = 0;
  if (await ctx.jobs.active()) {
    void ctx.jobs
      .idle()
      .catch(() => undefined)
      .then(async () => {
        await eraseFromModels(ctx, userId);
        await removeAllCheckpoints(ctx.config.modelsDir);
      })
      .catch((error: unknown) => ctx.logger.error({ err: error }, 'removing a deleted user from the version trained meanwhile failed'));
  } else {
    trainingCheckpoints = await removeAllCheckpoints(ctx.config.modelsDir);
  }
  return {
    userId,
    events: deleted.events,
    behaviours: deleted.behaviours,
    userDeleted: deleted.user,
    servedLists: deleted.servedLists,
    modelVersions: models.versions.length,
    unreadableModelVersions: models.unreadable.map((entry) => entry.version),
    trainingCheckpoints,
  };
}

export const adminMutations = { startRetraining, activateModel, deleteUserData };

export const adminQueries = {
  trainingJob(_: unknown, args: { id: string }, ctx: ApiContext): Promise<TrainingJob | null> {
    guardQuery(ctx, 'trainingJob');
    return ctx.jobs.get(args.id);
  },
  trainingJobs(_: unknown, __: unknown, ctx: ApiContext): Promise<TrainingJob[]> {
    guardQuery(ctx, 'trainingJobs');
    return ctx.jobs.list();
  },
};

/** A trainer's ranking metrics (`hits@10` …) in the schema's LinkMetrics shape (`hitsAt10` …). */
export const metricsOf = (result: Pick<JobMetrics, 'mrr' | 'hits@1' | 'hits@3' | 'hits@10' | 'count'> | null | undefined) =>
  result && { mrr: result.mrr, hitsAt1: result['hits@1'], hitsAt3: result['hits@3'], hitsAt10: result['hits@10'], count: result.count };

export const trainingJobType = {
  status: (job: TrainingJob) => job.status.toUpperCase(),
  metrics: (job: TrainingJob) => job.metrics && { valid: metricsOf(job.metrics.valid), test: metricsOf(job.metrics.test) },
};
