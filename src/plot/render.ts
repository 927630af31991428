/**
 * Vega-Lite spec → SVG (Vega's headless renderer) → PNG (resvg), entirely offline: the data travel inline
 * in the spec and the fonts are local files, so rendering never touches the network.
 */
import { existsSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface Chart {
  svg: string;
  png: Buffer;
}

/** The family every chart is set in; the same name goes into the SVG and selects the font files below. */
export const CHART_FONT_FAMILY = 'DejaVu Sans';

/** Debian/Ubuntu's fonts-dejavu-core paths; where they are missing, resvg falls back to the system's fonts. */
const FONT_FILES = ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf'];

/** PNG pixels per SVG unit: 2 gives sharp text on high-density screens and in slides. */
const PNG_SCALE = 2;

export async function renderVegaLite(spec: TopLevelSpec): Promise<Chart> {
  const compiled = compile({ ...spec, config: { font: CHART_FONT_FAMILY, background: 'white', ...spec.config } }).spec;
  // A loader that refuses everything: a spec that tries to fetch data or images fails instead of reaching out.
  const loader = vega.loader();
  loader.load = (uri: string) => Promise.reject(new Error(`renderVegaLite: charts render offline, refusing to load ${uri}`));
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', loader });
  try {
    const svg = await view.toSVG();
    return { svg, png: svgToPng(svg) };
  } finally {
    view.finalize();
  }
}

export function svgToPng(svg: string, scale = PNG_SCALE): Buffer {
  const fontFiles = FONT_FILES.filter((file) => existsSync(file));
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { loadSystemFonts: fontFiles.length === 0, fontFiles, defaultFontFamily: CHART_FONT_FAMILY },
  });
  return resvg.render().asPng();
}
