import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Chart } from './render.js';

/** Writes `chart` to `pngPath` and, beside it, the same chart as `.svg`; returns both paths. */
export async function writeChart(pngPath: string, chart: Chart): Promise<{ png: string; svg: string }> {
  if (path.extname(pngPath).toLowerCase() !== '.png') throw new Error(`writeChart: ${pngPath}: expected a path ending in .png`);
  const svgPath = pngPath.slice(0, -'.png'.length) + '.svg';
  await mkdir(path.dirname(pngPath), { recursive: true });
  await writeFile(pngPath, chart.png);
  await writeFile(svgPath, chart.svg, 'utf8');
  return { png: pngPath, svg: svgPath };
}
