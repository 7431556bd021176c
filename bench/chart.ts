// `npm run bench:chart [-- input.json output.svg]`: draws the heterogeneous results
// (`.bench-results/heterogeneous.json`) as `docs/bench-heterogeneous.svg`: throughput and p99 per
// variant, grouped by concurrency. Drawn by hand, so that the chart costs no dependency and diffs as text.
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

interface Row {
  readonly concurrency: number;
  readonly variant: string;
  readonly throughput: number;
  readonly p99Ms: number;
}

const defaultInput = fileURLToPath(new URL('../.bench-results/heterogeneous.json', import.meta.url));
const defaultOutput = fileURLToPath(new URL('../docs/bench-heterogeneous.svg', import.meta.url));
const [input = defaultInput, output = defaultOutput] = process.argv.slice(2);
const width = 1120;
const plotTop = 130;
const plotHeight = 330;
const panelWidth = 445;
/** Okabe-Ito colours, told apart with every common colour blindness; HAProxy, the reference, in grey. */
const palette = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00'];
const grey = '#7a7a7a';

const r = (value: number) => Math.round(value * 10) / 10;
const escapeXml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
function text(x: number, y: number, content: string, size: number, extra = ''): string {
  return `<text x="${r(x)}" y="${r(y)}" font-size="${size}" fill="#222" ${extra}>${escapeXml(content)}</text>`;
}

/** An axis from 0 to a round number above `max`, in 1, 2, 2.5 or 5 × 10ⁿ steps. */
function ticks(max: number): number[] {
  const power = 10 ** Math.floor(Math.log10(max / 5));
  const step = ([1, 2, 2.5, 5, 10].find((factor) => factor * power >= max / 5) ?? 10) * power;
  return Array.from({ length: Math.ceil(max / step) + 1 }, (_, index) => index * step);
}

function panel(
  rows: readonly Row[],
  key: 'throughput' | 'p99Ms',
  title: string,
  unit: string,
  left: number,
): string {
  const variants = [...new Set(rows.map((row) => row.variant))];
  const concurrencies = [...new Set(rows.map((row) => row.concurrency))].sort((a, b) => a - b);
  const bottom = plotTop + plotHeight;
  // Headroom above the tallest bar for its label.
  const axis = ticks(Math.max(1, ...rows.map((row) => row[key])) * 1.12);
  const top = axis.at(-1) ?? 1;
  const y = (value: number) => bottom - (value / top) * plotHeight;
  const middle = `text-anchor="middle"`;
  const parts = [text(left + panelWidth / 2, plotTop - 18, title, 15, `${middle} font-weight="bold"`)];
  for (const tick of axis) {
    parts.push(
      `<line x1="${left}" x2="${left + panelWidth}" y1="${r(y(tick))}" y2="${r(y(tick))}" stroke="#e3e3e3"/>`,
    );
    parts.push(text(left - 8, y(tick) + 4, tick.toLocaleString('en-US'), 12, 'text-anchor="end"'));
  }
  const axisX = left - 62;
  const rotate = `transform="rotate(-90 ${axisX} ${plotTop + plotHeight / 2})"`;
  parts.push(text(axisX, plotTop + plotHeight / 2, unit, 13, `${middle} ${rotate}`));
  const groupWidth = panelWidth / concurrencies.length;
  const slot = (groupWidth * 0.78) / variants.length;
  concurrencies.forEach((concurrency, group) => {
    variants.forEach((variant, index) => {
      const row = rows.find(
        (candidate) => candidate.concurrency === concurrency && candidate.variant === variant,
      );
      if (row === undefined) return;
      const x = left + group * groupWidth + groupWidth * 0.11 + index * slot + slot * 0.1;
      const colour = variant.startsWith('haproxy') ? grey : (palette[index % palette.length] ?? grey);
      const label = Math.round(row[key]).toLocaleString('en-US');
      const size = `x="${r(x)}" y="${r(y(row[key]))}" width="${r(slot * 0.8)}" height="${r(bottom - y(row[key]))}"`;
      parts.push(
        `<rect ${size} fill="${colour}"><title>${escapeXml(`${variant}, C=${concurrency}: ${label} ${unit}`)}</title></rect>`,
      );
      parts.push(text(x + slot * 0.4, y(row[key]) - 5, label, 11, middle));
    });
    parts.push(text(left + (group + 0.5) * groupWidth, bottom + 22, `C = ${concurrency}`, 14, middle));
  });
  parts.push(`<path d="M${left} ${plotTop}V${bottom}H${left + panelWidth}" fill="none" stroke="#333"/>`);
  parts.push(text(left + panelWidth / 2, bottom + 48, 'concurrent callers', 13, middle));
  return parts.join('\n');
}

function legend(variants: readonly string[]): string {
  let x = (width - variants.reduce((sum, variant) => sum + 50 + variant.length * 7.8, -28)) / 2;
  return variants
    .map((variant, index) => {
      const colour = variant.startsWith('haproxy') ? grey : (palette[index % palette.length] ?? grey);
      const entry = `<rect x="${r(x)}" y="73" width="14" height="14" fill="${colour}"/>${text(x + 22, 85, variant, 13)}`;
      x += 50 + variant.length * 7.8;
      return entry;
    })
    .join('\n');
}

const { results } = JSON.parse(await readFile(input, 'utf8')) as { results?: Row[] };
if (
  !Array.isArray(results) ||
  !results.every((row) => Number.isFinite(row.throughput + row.p99Ms + row.concurrency))
)
  throw new TypeError(`${input}: expected { results: [{ concurrency, variant, throughput, p99Ms }, …] }`);
const title = 'Heterogeneous pool (one backend 5× slower)';
const height = plotTop + plotHeight + 70;
const svg = [
  `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `role="img" aria-label="${title}" font-family="system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif">`,
  `<title>${title}</title>`,
  // Opaque, so that the chart stays readable on a dark page too.
  `<rect width="${width}" height="${height}" fill="#fff"/>`,
  text(width / 2, 36, title, 21, 'text-anchor="middle" font-weight="bold"'),
  text(width / 2, 60, 'Closed-loop SOAP calls at C concurrent callers', 13, 'text-anchor="middle"'),
  legend([...new Set(results.map((row) => row.variant))]),
  panel(results, 'throughput', 'Throughput (higher is better)', 'calls/s', 90),
  panel(results, 'p99Ms', 'p99 latency (lower is better)', 'p99 (ms)', 90 + panelWidth + 110),
  '</svg>\n',
].join('\n');
await writeFile(output, svg);
console.log(`Chart written to ${output}`);
