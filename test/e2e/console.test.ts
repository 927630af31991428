import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/config.js';
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

interface Gql<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

describe.skipIf(!chromiumPath && !required)('the merchandiser console in a browser', () => {
  let server: ConsoleServer;
  let browser: Browser;
  let page: Page;
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

  it('shows a frontend token no edit controls, and the API refuses its edits', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(TOKENS.frontend);
    await expect.poll(() => page.getByTestId('role').textContent()).toContain('frontend');
    expect(await page.getByRole('link', { name: 'Rules' }).count()).toBe(0);
    await page.goto(`${server.origin}/console/#/product/${encodeURIComponent(product.id)}`);
    await page.getByTestId('relations').waitFor();
    expect(await page.getByLabel('Related product id').count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Remove/ }).count()).toBe(0);
    await shot('product-frontend');
    const forced = await gql('mutation($f: ID!, $t: ID!) { relateProducts(from: $f, to: $t, type: SUBSTITUTES) { weight } }', { f: product.id, t: other.id }, TOKENS.frontend);
    expect(forced.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
