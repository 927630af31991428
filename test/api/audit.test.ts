import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, startHarness, TOKENS, type Harness } from './harness.js';

/** The audit trail: who changed what and when, written with each edit, listed newest first a page at a time. */

let h: Harness;

const SHOP = { products: 40, users: 5, events: 200, seed: 9 };

interface Entry {
  id: string;
  at: string;
  editor: string;
  entityType: string;
  entityId: string;
  action: string;
  summary: string;
}
interface Page {
  nodes: Entry[];
  edges: Array<{ cursor: string; node: { id: string } }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const LOG = `query ($entityId: ID, $editor: String, $first: Int, $after: String) { auditLog(entityId: $entityId, editor: $editor, first: $first, after: $after) {
  nodes { id at editor entityType entityId action summary } edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`;

const merchandiser = <T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}) => h.gql<T>(query, variables, TOKENS.merchandiser);

async function log(variables: Record<string, unknown> = {}, token: string = TOKENS.merchandiser): Promise<Page> {
  const response = await h.gql<{ auditLog: Page }>(LOG, variables, token);
  expect(response.errors).toBeUndefined();
  return response.data?.auditLog as Page;
}

const entryCount = async (): Promise<number> => ((await h.graph.read<{ n: number }>('MATCH (a:AuditEntry) RETURN count(a) AS n'))[0]?.n ?? 0);

async function edit(query: string, variables: Record<string, unknown> = {}): Promise<void> {
  const response = await merchandiser(query, variables);
  expect(response.errors, query).toBeUndefined();
}

beforeAll(async () => {
  h = await startHarness({ shop: SHOP });
});

afterAll(async () => {
  await h?.stop();
});

describe('auditLog', () => {
  it('records every product, relation and rule edit with who, when, what and the change, newest first', async () => {
    expect((await log()).nodes).toEqual([]); // ingestion is not an API edit
    await edit('mutation { upsertProduct(input: { id: "audit-p", title: "Lamp", price: 20 }) { id } }');
    await edit('mutation { upsertProduct(input: { id: "audit-p", title: "Desk Lamp" }) { id } }');
    await edit('mutation { relateProducts(from: "audit-p", to: "p-00001", type: COMPLEMENTS, weight: 0.5) { weight } }');
    await edit('mutation { relateProducts(from: "audit-p", to: "p-00001", type: COMPLEMENTS, weight: 2) { weight } }');
    await edit('mutation { unrelateProducts(from: "audit-p", to: "p-00001", type: COMPLEMENTS) }');
    const pin = await merchandiser<{ pinProduct: { id: string } }>('mutation { pinProduct(productId: "audit-p", query: "lamp", position: 1) { id } }');
    const ruleId = pin.data?.pinProduct.id as string;
    await edit('mutation ($id: ID!) { removeRule(id: $id) }', { id: ruleId });
    await edit('mutation { deleteProduct(id: "audit-p") }');
    // Edits that change nothing leave no entry.
    const before = await entryCount();
    await edit('mutation { deleteProduct(id: "audit-p") }');
    await edit('mutation { unrelateProducts(from: "p-00001", to: "p-00002", type: COMPLEMENTS) }');
    await h.gql('mutation { recordEvents(events: [{ userId: "u-0001", productId: "p-00001", type: VIEW }]) { created } }', {}, TOKENS.frontend);
    expect(await entryCount()).toBe(before);

    const { nodes } = await log({ first: 20 });
    expect(nodes.map((entry) => [entry.entityType, entry.entityId, entry.action])).toEqual([
      ['product', 'audit-p', 'delete'],
      ['rule', ruleId, 'remove'],
      ['rule', ruleId, 'pin'],
      ['relation', 'audit-p', 'unrelate'],
      ['relation', 'audit-p', 'reweight'],
      ['relation', 'audit-p', 'relate'],
      ['product', 'audit-p', 'update'],
      ['product', 'audit-p', 'create'],
    ]);
    const times = nodes.map((entry) => Date.parse(entry.at));
    expect(times.every((time, i) => i === 0 || (times[i - 1] as number) >= time)).toBe(true);
    expect(Math.abs((times[0] as number) - Date.now())).toBeLessThan(60_000);
    expect(new Set(nodes.map((entry) => entry.editor)).size).toBe(1);
    expect(nodes[0]?.editor).toMatch(/^api:merchandiser:[0-9a-f]{12}$/);

    const summary = (index: number) => JSON.parse(nodes[index]?.summary ?? '{}') as Record<string, unknown>;
    expect(summary(7)).toMatchObject({ before: null, after: { title: 'Lamp', price: 20 }, changed: true });
    expect(summary(6)).toMatchObject({ before: { title: 'Lamp', price: 20 }, after: { title: 'Desk Lamp' } });
    expect(summary(4)).toEqual({ from: 'audit-p', to: 'p-00001', type: 'COMPLEMENTS', before: { weight: 0.5 }, after: { weight: 2 } });
    expect(summary(2)).toMatchObject({ action: 'pin', productId: 'audit-p', scope: 'query', query: 'lamp', position: 1, replaced: [] });
    expect(summary(0)).toMatchObject({ before: { title: 'Desk Lamp', price: 20 }, rulesDeleted: 0 });
  });

  it('writes no entry for a refused edit', async () => {
    const before = await entryCount();
    const refused = await merchandiser('mutation { upsertProduct(input: { id: "audit-q", title: "X", categoryId: "no-such-category" }) { id } }');
    expect(codeOf(refused)).toBe('BAD_USER_INPUT');
    expect(codeOf(await merchandiser('mutation { createCategory(input: { id: "audit-c", name: "  " }) { id } }'))).toBe('BAD_USER_INPUT');
    expect(await entryCount()).toBe(before);
  });

  it('pages newest first with cursors, and filters by entity', async () => {
    for (let i = 0; i < 3; i += 1) await edit('mutation ($t: String!) { upsertProduct(input: { id: "audit-page", title: $t }) { id } }', { t: `Title ${i}` });
    const all = (await log({ first: 100 })).nodes.map((entry) => entry.id);
    const first = await log({ first: 4 });
    expect(first.nodes.map((entry) => entry.id)).toEqual(all.slice(0, 4));
    expect(first.pageInfo.hasNextPage).toBe(true);
    expect(first.edges[3]?.cursor).toBe(first.pageInfo.endCursor);
    const second = await log({ first: 100, after: first.pageInfo.endCursor });
    expect(second.nodes.map((entry) => entry.id)).toEqual(all.slice(4));
    expect(second.pageInfo).toEqual({ hasNextPage: false, endCursor: second.edges[second.edges.length - 1]?.cursor });

    const forProduct = await log({ entityId: 'audit-page' });
    expect(forProduct.nodes.map((entry) => JSON.parse(entry.summary).after.title)).toEqual(['Title 2', 'Title 1', 'Title 0']);
    expect((await log({ entityId: 'nothing-happened-to-this' })).nodes).toEqual([]);
  });

  it('filters by editor on the server, by a whole name or a prefix, a page at a time', async () => {
    const adminEdit = async (title: string) => {
      const response = await h.gql('mutation ($t: String!) { upsertProduct(input: { id: "audit-editor", title: $t }) { id } }', { t: title }, TOKENS.admin);
      expect(response.errors).toBeUndefined();
    };
    await adminEdit('By admin 0');
    await edit('mutation { upsertProduct(input: { id: "audit-editor", title: "By merchandiser" }) { id } }');
    await adminEdit('By admin 1');
    await adminEdit('By admin 2');
    const viewer = await h.gql<{ viewer: { editor: string } }>('{ viewer { editor } }', {}, TOKENS.admin);
    const adminName = viewer.data?.viewer.editor as string;
    expect(adminName).toMatch(/^api:admin:[0-9a-f]{12}$/);

    const all = (await log({ first: 100 })).nodes;
    const byAdmin = (await log({ editor: adminName, first: 100 })).nodes;
    expect(byAdmin.map((entry) => entry.id)).toEqual(all.filter((entry) => entry.editor === adminName).map((entry) => entry.id));
    expect(byAdmin.map((entry) => JSON.parse(entry.summary).after.title)).toEqual(['By admin 2', 'By admin 1', 'By admin 0']);

    // Pages of the filtered trail: the cursor carries on within the filter.
    const firstPage = await log({ editor: 'api:admin:', first: 2 });
    expect(firstPage.nodes.map((entry) => entry.id)).toEqual(byAdmin.slice(0, 2).map((entry) => entry.id));
    expect(firstPage.pageInfo.hasNextPage).toBe(true);
    const rest = await log({ editor: 'api:admin:', first: 2, after: firstPage.pageInfo.endCursor });
    expect(rest.nodes.map((entry) => entry.id)).toEqual(byAdmin.slice(2).map((entry) => entry.id));
    expect(rest.pageInfo.hasNextPage).toBe(false);

    const merchandiserEntries = (await log({ editor: 'api:merchandiser:', entityId: 'audit-editor' })).nodes;
    expect(merchandiserEntries.map((entry) => JSON.parse(entry.summary).after.title)).toEqual(['By merchandiser']);
    expect((await log({ editor: 'api:frontend:' })).nodes).toEqual([]);
  });

  it('refuses an empty, overlong or control-character editor, naming it', async () => {
    for (const editor of ['', 'x'.repeat(201), 'api:admin:\u0000']) {
      const response = await h.gql(LOG, { editor }, TOKENS.merchandiser);
      expect(codeOf(response), editor).toBe('BAD_USER_INPUT');
      expect(response.errors?.[0]?.extensions?.field).toBe('editor');
    }
  });

  it('refuses a foreign cursor and a bad page size, naming the argument', async () => {
    const foreign = await h.gql(LOG, { after: 'cHJvZHVjdDpwLTAwMDAx' }, TOKENS.merchandiser);
    expect(codeOf(foreign)).toBe('BAD_USER_INPUT');
    expect(foreign.errors?.[0]?.extensions?.field).toBe('after');
    const tooMany = await h.gql(LOG, { first: h.api.maxFirst + 1 }, TOKENS.merchandiser);
    expect(tooMany.errors?.[0]?.extensions?.field).toBe('first');
  });

  it('is for merchandisers and admins only', async () => {
    expect(codeOf(await h.gql(LOG))).toBe('UNAUTHENTICATED');
    expect(codeOf(await h.gql(LOG, {}, TOKENS.frontend))).toBe('FORBIDDEN');
    expect((await log({}, TOKENS.admin)).nodes.length).toBeGreaterThan(0);
  });
});
