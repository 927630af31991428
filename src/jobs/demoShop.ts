import path from 'node:path';
import { DEMO_FILES, writeDemoShop, type DemoShopOptions } from '../demo/generate.js';
import { LOAD_ORDER, type ShopFiles } from './loadShop.js';

/** The files `writeDemoShop` produces, by kind. */
export const demoShopFiles = (dir: string): ShopFiles =>
  Object.fromEntries(LOAD_ORDER.map((kind) => [kind, [path.join(dir, DEMO_FILES[kind])]]));

export async function writeDemoShopFiles(dir: string, options: DemoShopOptions = {}): Promise<{ files: ShopFiles; counts: Record<string, number> }> {
  const { counts } = await writeDemoShop(dir, options);
  return { files: demoShopFiles(dir), counts };
}
