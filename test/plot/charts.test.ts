import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { barChart, lineChart } from '../../src/plot/charts.js';
import { writeChart } from '../../src/plot/writeChart.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from the IHDR chunk, which always follows the signature. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'kgrec-plot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('charts', () => {
  it('renders grouped bars to SVG and PNG', async () => {
    const chart = await barChart({
      title: 'amazon-book',
      yLabel: 'score',
      rows: [
        { group: 'recall@20', series: 'popularity', value: 0.029 },
        { group: 'recall@20', series: 'BPR-MF', value: 0.13 },
        { group: 'ndcg@20', series: 'popularity', value: 0.012 },
        { group: 'ndcg@20', series: 'BPR-MF', value: 0.068 },
      ],
    });
    expect(chart.svg.startsWith('<svg')).toBe(true);
    expect(chart.svg).toContain('BPR-MF');
    expect(chart.png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    const { width, height } = pngSize(chart.png);
    expect(width).toBeGreaterThan(200);
    expect(height).toBeGreaterThan(400);
    expect(chart.png.length).toBeGreaterThan(5000);
  });

  it('renders lines and writes both files', async () => {
    const rows = Array.from({ length: 10 }, (_, e) => [
      { x: e + 1, series: 'train', y: 0.7 / (e + 1) },
      { x: e + 1, series: 'validation', y: 0.8 / (e + 1) + 0.05 },
    ]).flat();
    const chart = await lineChart({ title: 'BPR loss', rows, xLabel: 'epoch', yLabel: 'loss' });
    const { width } = pngSize(chart.png);
    expect(width).toBeGreaterThan(1000); // 560 px wide plot at scale 2, plus axes
    const written = await writeChart(path.join(dir, 'sub', 'loss.png'), chart);
    expect(written.svg).toBe(path.join(dir, 'sub', 'loss.svg'));
    expect(readFileSync(written.png).subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(existsSync(written.svg)).toBe(true);
    await expect(writeChart(path.join(dir, 'x.jpg'), chart)).rejects.toThrow(/ending in \.png/);
  });

  it('refuses non-finite values', async () => {
    await expect(barChart({ title: 't', yLabel: 'y', rows: [{ group: 'a', series: 'b', value: Number.NaN }] })).rejects.toThrow(/finite/);
  });
});
