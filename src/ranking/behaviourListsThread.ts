/** The build thread of behaviourLists.ts: builds the lists once, hands their buffers back and ends. */
import { parentPort, workerData } from 'node:worker_threads';
import { BACKGROUND_NICENESS, lowerThisThreadPriority } from '../util/threadPriority.js';
import { behaviourListBuffers, buildBehaviourLists, buildBehaviourListsFromNeo4j, type BehaviourListsFromNeo4j, type BehaviourListsInput, type BehaviourListsReply } from './behaviourLists.js';

if (!parentPort) throw new Error('behaviourListsThread runs as a worker thread');
const port = parentPort;
// A build takes a core for seconds: the ranking and HTTP threads beside it get the cores first.
lowerThisThreadPriority(BACKGROUND_NICENESS);
let reply: BehaviourListsReply;
let transfer: ArrayBuffer[] = [];
try {
  const input = workerData as BehaviourListsInput | BehaviourListsFromNeo4j;
  const lists = 'neo4j' in input ? await buildBehaviourListsFromNeo4j(input) : buildBehaviourLists(input);
  reply = { lists };
  transfer = behaviourListBuffers(lists);
} catch (error) {
  const { name = 'Error', message = String(error) } = error as { name?: string; message?: string };
  reply = { error: { name, message } };
}
port.postMessage(reply, transfer);
