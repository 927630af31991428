import type { ProductDetail, RankedItem } from '../graphql.js';
import { href } from '../router.js';

/**
 * The product's knowledge-graph neighbourhood as a small SVG: the product in the middle, its category path
 * and brand above, merchandiser relations to the right, products often bought with it to the left, its
 * attributes (the graph's Attribute nodes) below. Plain SVG laid out in columns and rows: a dozen or two
 * nodes need no layout library.
 */

interface Node {
  key: string;
  label: string;
  kind: 'product' | 'category' | 'brand' | 'related' | 'bought' | 'attribute';
  x: number;
  y: number;
  link?: string;
}

const WIDTH = 760;
const ROW = 34;
const MAX_PER_SIDE = 6;
/** Attributes drawn (the product page lists them all), in rows of ATTRIBUTES_PER_ROW under the product. */
const MAX_ATTRIBUTES = 6;
const ATTRIBUTES_PER_ROW = 3;
const ATTRIBUTE_SPACING = 200;
const short = (text: string) => (text.length > 26 ? `${text.slice(0, 25)}…` : text);

export function Neighbourhood({ product, similar }: { product: ProductDetail; similar: RankedItem[] }) {
  const bought = similar.filter((item) => item.reasons.some((reason) => reason.kind === 'BOUGHT_TOGETHER')).slice(0, MAX_PER_SIDE);
  const relations = product.relations.slice(0, MAX_PER_SIDE);
  const top = (product.category?.path.length ?? 0) + (product.brand ? 1 : 0);
  const centre = { x: WIDTH / 2, y: 30 + Math.max(top, 1) * ROW + 20 };
  const nodes: Node[] = [{ key: 'self', label: short(product.title), kind: 'product', ...centre }];
  const edges: { from: Node; to: Node; label: string }[] = [];
  const self = nodes[0] as Node;
  (product.category?.path ?? []).forEach((category, i) => {
    const node: Node = { key: `c-${category.id}`, label: category.name, kind: 'category', x: WIDTH / 2 - 120, y: 30 + i * ROW };
    edges.push({ from: i === 0 ? node : (nodes[nodes.length - 1] as Node), to: node, label: i === 0 ? '' : 'parent of' });
    nodes.push(node);
  });
  const leaf = nodes.length > 1 ? (nodes[nodes.length - 1] as Node) : null;
  if (leaf) edges.push({ from: self, to: leaf, label: 'in category' });
  if (product.brand) {
    const node: Node = { key: 'brand', label: product.brand.name, kind: 'brand', x: WIDTH / 2 + 140, y: 30 };
    nodes.push(node);
    edges.push({ from: self, to: node, label: 'brand' });
  }
  const side = (items: { id: string; title: string; label: string }[], kind: Node['kind'], x: number) =>
    items.forEach((item, i) => {
      const node: Node = { key: `${kind}-${item.id}`, label: short(item.title), kind, x, y: centre.y + (i - (items.length - 1) / 2) * ROW, link: href('product', item.id) };
      nodes.push(node);
      edges.push({ from: self, to: node, label: item.label });
    });
  side(relations.map((r) => ({ id: r.product.id, title: r.product.title, label: `${r.type.toLowerCase().replace(/_/g, ' ')} ${r.weight}` })), 'related', WIDTH - 110);
  side(bought.map((b) => ({ id: b.product.id, title: b.product.title, label: 'bought with' })), 'bought', 110);
  const sidesBottom = centre.y + (Math.max(relations.length, bought.length, 1) / 2) * ROW;
  const attributes = product.attributes.slice(0, MAX_ATTRIBUTES);
  attributes.forEach((attribute, i) => {
    const column = (i % ATTRIBUTES_PER_ROW) - (Math.min(attributes.length, ATTRIBUTES_PER_ROW) - 1) / 2;
    const node: Node = { key: `a-${attribute.key}=${attribute.value}`, label: short(`${attribute.key}: ${attribute.value}`), kind: 'attribute', x: WIDTH / 2 + column * ATTRIBUTE_SPACING, y: sidesBottom + ROW * (1 + Math.floor(i / ATTRIBUTES_PER_ROW)) };
    nodes.push(node);
    edges.push({ from: self, to: node, label: '' });
  });
  const rows = Math.ceil(attributes.length / ATTRIBUTES_PER_ROW);
  const height = Math.max(sidesBottom + rows * ROW + 30, centre.y + 40);
  return (
    <figure class="graph">
      <svg viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-labelledby="graph-title" data-testid="neighbourhood">
        <title id="graph-title">{`Knowledge-graph neighbourhood of ${product.title}`}</title>
        {edges.filter((edge) => edge.from !== edge.to).map((edge) => (
          <g key={`${edge.from.key}-${edge.to.key}`} class="edge">
            <line x1={edge.from.x} y1={edge.from.y} x2={edge.to.x} y2={edge.to.y} />
            <text x={(edge.from.x + edge.to.x) / 2} y={(edge.from.y + edge.to.y) / 2 - 3}>{edge.label}</text>
          </g>
        ))}
        {nodes.map((node) => <GraphNode key={node.key} node={node} />)}
      </svg>
      <figcaption>
        Category path and brand above; merchandiser relations right; often bought with it left{bought.length === 0 ? ' (none found by the API)' : ''}; attributes below
        {product.attributes.length === 0 ? ' (none)' : product.attributes.length > MAX_ATTRIBUTES ? ` (the first ${MAX_ATTRIBUTES} of ${product.attributes.length})` : ''}.
      </figcaption>
    </figure>
  );
}

function GraphNode({ node }: { node: Node }) {
  const body = (
    <g class={`node ${node.kind}`}>
      <rect x={node.x - 95} y={node.y - 12} width={190} height={24} rx={6} />
      <text x={node.x} y={node.y + 4} text-anchor="middle">{node.label}</text>
    </g>
  );
  return node.link ? <a href={node.link}>{body}</a> : body;
}
