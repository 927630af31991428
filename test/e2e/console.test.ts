import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { homePath, PROJECT_ROOT } from '../../src/config.js';
import { resolveHyperparameters } from '../../src/kge/hyperparameters.js';
import { saveModel } from '../../src/kge/modelStore.js';
import { freshGraph } from '../helpers.js';
import { loadDemoShop, TOKENS } from '../api/harness.js';
import { assertConsoleBuilt, findChromium, startConsoleServer, type ConsoleServer } from './consoleServer.js';

/**
 * The console in a real browser (Debian's chromium through playwright-core) against a real `kgrec serve`
 * over the test Neo4j with a small demo shop. Skipped only when no chromium is installed and CI is not set.
 * Screenshots of each page go to test-results/console (not committed).
 */

const chromiumPath = findChromium();
const required = process.env.CI === 'true' || process.env.CI === '1';
if (!chromiumPath && !required) console.warn('[console e2e] skipped: no chromium found (install Debian\'s chromium, or set CHROMIUM_PATH); under CI=true this fails');
const SHOTS = path.join(PROJECT_ROOT, 'test-results', 'console');
const ANONYMOUS = 'kgrec-console-anonymous';
/** A 1×1 PNG: the evaluation chart the page shows as the API sends it. */
const TINY_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

/** A model version naming every product of the shop (so that it may be activated), with stored test metrics. */
function saveShopModel(modelsDir: string, productIds: string[], dimension: number, createdAt: string, mrr: number): Promise<string> {
  const entities = productIds.map((id) => `Product:${id}`);
  // Deterministic, distinct vectors: the ranker serves them after activation.
  const entity = Float32Array.from({ length: entities.length * dimension }, (_, i) => Math.sin(i + mrr * 1000));
  return saveModel(modelsDir, {
    hyperparameters: resolveHyperparameters({ dimension, epochs: 3, workers: 1 }),
    dataFingerprint: 'e2e-fixture',
    trainedOn: 'shop',
    metrics: { test: { mrr, 'hits@1': mrr / 2, 'hits@3': mrr, 'hits@10': Math.min(1, 2 * mrr), count: 50 } },
    backend: 'cpu',
    durationSeconds: 1,
    entities,
    relations: ['IN_CATEGORY'],
    embeddings: { dimension, entity, relation: new Float32Array(dimension).fill(0.1) },
    createdAt: new Date(createdAt),
  });
}

interface Gql<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

describe.skipIf(!chromiumPath && !required)('the merchandiser console in a browser', () => {
  let server: ConsoleServer;
  let browser: Browser;
  let page: Page;
  let productIds: string[] = [];
  let dimension = 0;
  const gql = async <T>(query: string, variables: Record<string, unknown>, token: string): Promise<Gql<T>> => {
    const response = await fetch(`${server.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
    return (await response.json()) as Gql<T>;
  };
  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  const signIn = async (token: string) => {
    await page.goto(`${server.origin}/console/`);
    await page.getByLabel('Token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('role').waitFor();
  };

  beforeAll(async () => {
    if (!chromiumPath) throw new Error('CI is set and no chromium was found: the console\'s browser tests need /usr/bin/chromium (apt-get install chromium)');
    assertConsoleBuilt();
    mkdirSync(SHOTS, { recursive: true });
    const { graph, config } = await freshGraph();
    await loadDemoShop(graph, config);
    productIds = (await graph.read<{ id: string }>('MATCH (p:Product) RETURN p.id AS id ORDER BY id')).map((row) => row.id);
    dimension = config.embeddingDimension;
    await graph.close();
    server = await startConsoleServer();
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('signs a merchandiser in and shows the role and its pages', async () => {
    await signIn(TOKENS.merchandiser);
    await expect.poll(() => page.getByTestId('role').textContent()).toContain('merchandiser');
    expect(await page.getByRole('link', { name: 'Rules' }).count()).toBe(1);
    expect(await page.getByRole('link', { name: 'Models' }).count()).toBe(0);
    await page.getByTestId('product-results').waitFor();
    await shot('products');
  });

  let product: { id: string; title: string; category: { id: string } };
  let other: { id: string; title: string };

  it('finds a product by a word of its title', async () => {
    const listed = await gql<{ products: { nodes: { id: string; title: string; category: { id: string } }[] } }>('{ products(first: 2) { nodes { id title category { id } } } }', {}, TOKENS.merchandiser);
    [product, other] = listed.data?.products.nodes as [typeof product, typeof other];
    const word = product.title.split(/\s+/).sort((a, b) => b.length - a.length)[0] ?? product.title;
    await page.getByLabel('Search products').fill(word);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: product.title, exact: true }).first().click();
    await page.getByRole('heading', { level: 1, name: product.title }).waitFor();
    await page.getByTestId('neighbourhood').waitFor();
    // Its attributes, as the API lists them: on the page, and (the first six) in the neighbourhood graph.
    const read = await gql<{ product: { attributes: { key: string; value: string }[] } }>('query($id: ID!) { product(id: $id) { attributes { key value } } }', { id: product.id }, TOKENS.merchandiser);
    const attributes = read.data?.product.attributes ?? [];
    expect(attributes.length).toBeGreaterThan(0);
    expect(await page.getByTestId('attributes').locator('tbody tr').allTextContents()).toEqual(attributes.map((a) => `${a.key}${a.value}`));
    expect(await page.getByTestId('neighbourhood').locator('.node.attribute').count()).toBe(Math.min(attributes.length, 6));
    await shot('product');
  });

  it('relates it to another product, and shows the relation on its page and in the audit log', async () => {
    await page.getByLabel('Related product id').fill(other.id);
    await page.getByLabel('Relation type').selectOption('COMPLEMENTS');
    await page.getByLabel('Weight').fill('0.8');
    await page.getByRole('button', { name: 'Relate' }).click();
    await page.getByTestId('relations').getByRole('link', { name: other.title }).waitFor();
    await shot('product-related');
    await page.getByRole('link', { name: 'Edits of this product' }).click();
    const row = page.getByTestId('audit').getByRole('row').filter({ hasText: 'relate' }).filter({ hasText: product.id });
    await row.first().waitFor();
    expect(await row.first().textContent()).toContain('api:merchandiser');
    await shot('audit');
  });

  it('shows the API\'s field-named error for a bad input', async () => {
    await page.goto(`${server.origin}/console/#/product/${encodeURIComponent(product.id)}`);
    await page.getByLabel('Related product id').fill(product.id);
    await page.getByRole('button', { name: 'Relate' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'to:' });
    await alert.waitFor();
    expect(await alert.textContent()).toBe('to: a product cannot be related to itself');
    expect(await page.getByLabel('Related product id').getAttribute('aria-invalid')).toBe('true');
  });

  it('pins a product to the top of a category: first in the preview, then first in recommend', async () => {
    // A category with a few products: the pinned one is the last of its page.
    const recommendIn = async (categoryId: string) =>
      (await gql<{ recommend: { items: { product: { id: string } }[] } }>('query($c: ID!, $u: ID!) { recommend(userId: $u, first: 10, filter: { categoryId: $c }) { items { product { id } } } }', { c: categoryId, u: ANONYMOUS }, TOKENS.merchandiser)).data?.recommend.items.map((item) => item.product.id) ?? [];
    const categories = (await gql<{ categories: { id: string }[] }>('{ categories { id } }', {}, TOKENS.merchandiser)).data?.categories ?? [];
    let categoryId = '';
    let ids: string[] = [];
    for (const category of categories) {
      ids = await recommendIn(category.id);
      categoryId = category.id;
      if (ids.length >= 3) break;
    }
    expect(ids.length).toBeGreaterThanOrEqual(3);
    const pinned = ids[ids.length - 1] as string;
    await page.goto(`${server.origin}/console/#/rules?category=${encodeURIComponent(categoryId)}`);
    await page.getByLabel('Product id').fill(pinned);
    await page.getByLabel('Position (1 is first)').fill('1');
    const firstAfter = page.getByTestId('preview-after').locator('li').first();
    await expect.poll(() => firstAfter.textContent()).toContain(pinned);
    expect(await page.getByTestId('preview-before').locator('li').first().textContent()).not.toContain(pinned);
    await shot('rule-preview');
    await page.getByRole('button', { name: 'Save rule' }).click();
    await page.getByText(`Saved: pin ${pinned}.`).waitFor();
    await expect
      .poll(async () => (await recommendIn(categoryId))[0], { timeout: 15_000 })
      .toBe(pinned);
  });

  it('creates, starts and reads an experiment whose counts match experimentResults', async () => {
    const name = 'console fused vs popularity';
    await page.goto(`${server.origin}/console/#/experiments`);
    await page.getByLabel('Experiment name').fill(name);
    await page.getByLabel('Variant 1 share').fill('0.7');
    await page.getByLabel('Variant 2 share').fill('0.5');
    await page.getByLabel('Variant 2 strategy').selectOption('POPULARITY');
    await page.getByRole('button', { name: 'Create experiment' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'input.variants:' });
    await alert.waitFor();
    expect(await alert.textContent()).toBe('input.variants: expected shares adding up to 1, got 1.2');
    expect(await page.getByLabel('Variant 2 share').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Variant 2 share').fill('0.3');
    await page.getByRole('button', { name: 'Create experiment' }).click();
    await page.getByText(`Created ${name}`).waitFor();
    expect(await page.getByLabel('Variant 2 share').getAttribute('aria-invalid')).toBe('false');
    const listed = await gql<{ experiments: { id: string; name: string }[] }>('{ experiments { id name } }', {}, TOKENS.merchandiser);
    const id = listed.data?.experiments.find((experiment) => experiment.name === name)?.id as string;
    const card = page.getByTestId(`experiment-${id}`);
    await page.getByRole('button', { name: `Start ${name}` }).click();
    await card.getByRole('button', { name: 'Yes, start it' }).click();
    await expect.poll(() => card.getByTestId('experiment-state').textContent()).toBe('running');
    expect(await card.getByTestId('experiment-history').locator('li').allTextContents()).toEqual([expect.stringContaining('created as draft'), expect.stringContaining('draft → running by api:merchandiser:')]);
    await shot('experiments');

    // Lists served to a few shoppers, then impressions of every item and clicks on the first one or two.
    const events: Record<string, unknown>[] = [];
    for (const [i, userId] of ['u-0001', 'u-0002', 'u-0003', 'u-0004', 'u-0005', 'u-0006'].entries()) {
      const served = await gql<{ recommend: { servedId: string; items: { position: number; product: { id: string } }[] } }>('query($u: ID!) { recommend(userId: $u, first: 3) { servedId items { position product { id } } } }', { u: userId }, TOKENS.frontend);
      const { servedId, items } = served.data?.recommend ?? { servedId: '', items: [] };
      for (const item of items) events.push({ userId, productId: item.product.id, type: 'IMPRESSION', servedId, position: item.position });
      for (const item of items.slice(0, 1 + (i % 2))) events.push({ userId, productId: item.product.id, type: 'CLICK', servedId, position: item.position });
    }
    const recorded = await gql<{ recordEvents: { created: number } }>('mutation($e: [EventInput!]!) { recordEvents(events: $e) { created } }', { e: events }, TOKENS.frontend);
    expect(recorded.data?.recordEvents.created).toBe(events.length);
    const from = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    type Figures = { name: string; users: number; servedLists: number; impressions: number; clicks: number };
    const apiResults = async () =>
      (await gql<{ experimentResults: { variants: Figures[] } }>('query($id: ID!, $from: DateTime!) { experimentResults(id: $id, from: $from) { variants { name users servedLists impressions clicks } } }', { id, from: `${from}T00:00:00.000Z` }, TOKENS.merchandiser)).data?.experimentResults.variants ?? [];
    // Served lists are written in batches shortly after they are served: wait for all six.
    await expect.poll(async () => (await apiResults()).reduce((sum, variant) => sum + variant.servedLists, 0), { timeout: 15_000 }).toBe(6);
    const expected = await apiResults();
    expect(expected.reduce((sum, variant) => sum + variant.impressions + variant.clicks, 0)).toBe(events.length);

    await card.getByRole('link', { name: `Results of ${name}` }).click();
    await page.getByLabel('From (UTC date)').fill(from);
    await page.getByRole('button', { name: 'Show results' }).click();
    // The figures of the chosen window, not those of the default one shown before.
    await expect.poll(() => page.getByTestId('results-verdict').getAttribute('data-from')).toMatch(new RegExp(`^${from}T00:00:00`));
    const table = page.getByTestId('results');
    await table.locator('tbody tr').first().waitFor();
    const shown = await table.locator('tbody tr').evaluateAll((rows) =>
      rows.map((row) => ({
        name: row.getAttribute('data-variant'),
        ...Object.fromEntries(['users', 'servedLists', 'impressions', 'clicks'].map((figure) => [figure, Number(row.querySelector(`[data-figure="${figure}"]`)?.textContent)])),
      })),
    );
    expect(shown).toEqual(expected);
    expect(await page.getByTestId('ctr-chart').locator('circle').count()).toBe(2);
    expect(await page.getByTestId('winner').textContent()).toBe('no winner yet');
    await shot('experiment-results');

    await page.getByRole('link', { name: 'All experiments' }).click();
    await page.getByRole('button', { name: `Stop ${name}` }).click();
    await card.getByRole('button', { name: 'Yes, stop it' }).click();
    await expect.poll(() => card.getByTestId('experiment-state').textContent()).toBe('stopped');
  });

  it('shows a frontend token no edit controls, and the API refuses its edits', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(TOKENS.frontend);
    await expect.poll(() => page.getByTestId('role').textContent()).toContain('frontend');
    expect(await page.getByRole('link', { name: 'Rules' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Experiments' }).count()).toBe(0);
    await page.goto(`${server.origin}/console/#/experiments`);
    await page.getByText('This page needs a role your token does not have.').waitFor();
    expect(await page.getByRole('button', { name: 'Create experiment' }).count()).toBe(0);
    await page.goto(`${server.origin}/console/#/product/${encodeURIComponent(product.id)}`);
    await page.getByTestId('relations').waitFor();
    expect(await page.getByLabel('Related product id').count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Remove/ }).count()).toBe(0);
    await shot('product-frontend');
    const forced = await gql('mutation($f: ID!, $t: ID!) { relateProducts(from: $f, to: $t, type: SUBSTITUTES) { weight } }', { f: product.id, t: other.id }, TOKENS.frontend);
    expect(forced.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('lists model versions with a chart of their metric and activates one, as an admin', async () => {
    const modelsDir = homePath(server.home, 'models');
    const older = await saveShopModel(modelsDir, productIds, dimension, '2026-01-01T10:00:00.000Z', 0.21);
    const newer = await saveShopModel(modelsDir, productIds, dimension, '2026-01-02T10:00:00.000Z', 0.34);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(TOKENS.admin);
    await expect.poll(() => page.getByTestId('role').textContent()).toContain('admin');
    await page.getByRole('link', { name: 'Models' }).click();
    const versions = page.getByTestId('versions');
    await versions.getByRole('row').filter({ hasText: newer }).waitFor();
    expect(await versions.getByRole('row').nth(1).textContent()).toContain(newer); // newest first
    expect(await versions.getByRole('row').filter({ hasText: older }).textContent()).toContain('MRR 0.2100');
    expect(await page.getByTestId('metric-chart').locator('circle').count()).toBe(2);
    expect(await page.getByTestId('active-model').textContent()).toBe('none');
    await page.getByRole('button', { name: `Activate ${older}` }).click();
    await page.getByText(`Activated ${older}.`).waitFor();
    await expect.poll(() => page.getByTestId('active-model').textContent(), { timeout: 30_000 }).toBe(older);
    expect(await page.getByRole('button', { name: `Activate ${older}` }).count()).toBe(0);
    await shot('models');
  });

  it('filters the audit log by editor on the server', async () => {
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByLabel('Editor starts with').fill('api:admin:');
    await page.getByRole('button', { name: 'Filter' }).click();
    const rows = page.getByTestId('audit').getByRole('row');
    await rows.filter({ hasText: 'activate' }).first().waitFor();
    // The unfiltered page may still show (with the admin's activation among the merchandiser's edits) until the
    // filtered one arrives, and the table is empty in between: wait for rows that are all the admin's.
    const editors = () => page.getByTestId('audit').locator('tbody tr td:nth-child(2)').allTextContents();
    const onlyAdmins = async () => {
      const shown = await editors();
      return shown.length > 0 && shown.every((editor) => editor.startsWith('api:admin:'));
    };
    await expect.poll(onlyAdmins, { timeout: 10_000 }).toBe(true);
    await page.getByLabel('Editor starts with').fill('api:merchandiser:');
    await page.getByRole('button', { name: 'Filter' }).click();
    await rows.filter({ hasText: 'relate' }).first().waitFor();
    expect(await rows.filter({ hasText: 'activate' }).count()).toBe(0);
    await page.getByRole('link', { name: 'My edits' }).click();
    await rows.filter({ hasText: 'activate' }).first().waitFor();
    expect(await page.getByLabel('Editor starts with').inputValue()).toMatch(/^api:admin:[0-9a-f]{12}$/);
    await shot('audit-editor');
  });

  it('shows the latest evaluation report with its chart', async () => {
    await page.getByRole('link', { name: 'Evaluation' }).click();
    await page.getByText('No evaluation yet.', { exact: false }).waitFor();
    const dir = homePath(server.home, 'eval', 'demo');
    mkdirSync(dir, { recursive: true });
    const results = { popularity: { 'recall@20': 0.05, 'ndcg@20': 0.02 }, fused: { 'recall@20': 0.25, 'ndcg@20': 0.12 } };
    writeFileSync(path.join(dir, 'report.json'), JSON.stringify({ dataset: 'demo', note: 'generated demo shop, time split', k: 20, users: 99, results }));
    writeFileSync(path.join(dir, 'report.png'), TINY_PNG);
    await page.reload();
    await page.getByTestId('evaluation').getByRole('row').filter({ hasText: 'fused' }).waitFor();
    expect(await page.getByTestId('evaluation').getByRole('row').filter({ hasText: 'fused' }).textContent()).toContain('0.2500');
    expect(await page.getByTestId('evaluation-chart').getAttribute('src')).toBe(`data:image/png;base64,${TINY_PNG.toString('base64')}`);
    await expect.poll(() => page.getByTestId('evaluation-chart').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(1);
    await shot('evaluation');
  });
});
