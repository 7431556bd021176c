// `node --import tsx bench/chart.ts [input.json] [output.svg]`
//
// Draws the heterogeneous-pool results (`.bench-results/heterogeneous.json` by default) as one SVG for
// the docs (`docs/bench-heterogeneous.svg` by default): throughput and p99 latency per balancer variant,
// side by side, grouped by concurrency. Drawn by hand, so the chart costs no dependency and the file
// diffs as text.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface HeterogeneousRow {
  readonly concurrency: number;
  readonly variant: string;
  /** Calls per second. */
  readonly throughput: number;
  readonly p99Ms: number;
}

const expectedShape = '{ results: [{ concurrency, variant, throughput, p99Ms }, …] }';

/**
 * The one place that knows the results file's shape: `{ results: [{ concurrency, variant, throughput,
 * p99Ms }] }`, one entry per concurrency and variant. Adapt this function, and only it, if the
 * heterogeneous scenario writes its results differently.
 * @throws {TypeError} naming the first field that does not fit.
 */
export function readHeterogeneous(json: unknown): HeterogeneousRow[] {
  const results = isRecord(json) ? json.results : undefined;
  if (!Array.isArray(results) || results.length === 0) {
    throw new TypeError(`Expected heterogeneous results shaped ${expectedShape}; found no \`results\` array`);
  }
  const rows = results.map((entry: unknown, index): HeterogeneousRow => {
    const at = `results[${index}]`;
    if (!isRecord(entry)) throw new TypeError(`Expected ${at} to be an object, in ${expectedShape}`);
    const { concurrency, variant, throughput, p99Ms } = entry;
    if (!Number.isInteger(concurrency) || (concurrency as number) < 1) {
      throw new TypeError(`Expected ${at}.concurrency to be a positive integer, got ${show(concurrency)}`);
    }
    if (typeof variant !== 'string' || variant === '') {
      throw new TypeError(`Expected ${at}.variant to be a non-empty string, got ${show(variant)}`);
    }
    for (const [name, value] of [
      ['throughput', throughput],
      ['p99Ms', p99Ms],
    ] as const) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new TypeError(`Expected ${at}.${name} to be a number ≥ 0, got ${show(value)}`);
      }
    }
    return {
      concurrency: concurrency as number,
      variant,
      throughput: throughput as number,
      p99Ms: p99Ms as number,
    };
  });
  const seen = new Set<string>();
  for (const row of rows) {
    const key = `${row.concurrency}\u0000${row.variant}`;
    if (seen.has(key))
      throw new TypeError(`Two results for ${row.variant} at concurrency ${row.concurrency}`);
    seen.add(key);
  }
  return rows;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

// ---------------------------------------------------------------------------------------------------
// Drawing

const title = 'Heterogeneous pool (one backend 5× slower)';
const subtitle =
  'Closed-loop SOAP calls at C concurrent callers · throughput: higher is better · p99: lower is better';
const font = "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif";
/** Okabe-Ito colours: told apart with every common kind of colour blindness. */
const palette = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442'];
/** HAProxy is the server-side baseline the policies are measured against: grey marks it as the reference. */
const referenceColour = '#7a7a7a';

const width = 1120;
const margin = { left: 90, right: 30 };
/** Between the two panels: room for the right panel's tick labels and axis title. */
const panelGap = 110;
const plotHeight = 330;
/** Average glyph width as a share of the font size, for a sans-serif; enough to keep labels apart. */
const glyphWidth = 0.6;

interface Panel {
  readonly heading: string;
  readonly axisTitle: string;
  readonly value: (row: HeterogeneousRow) => number;
  readonly format: (value: number) => string;
}

const panels: readonly Panel[] = [
  {
    heading: 'Throughput (higher is better)',
    axisTitle: 'calls/s',
    value: (row) => row.throughput,
    format: formatCount,
  },
  {
    heading: 'p99 latency (lower is better)',
    axisTitle: 'p99 (ms)',
    value: (row) => row.p99Ms,
    format: formatMs,
  },
];

/** Draws the chart; variants keep the order they first appear in, concurrencies go ascending. */
export function renderHeterogeneousSvg(rows: readonly HeterogeneousRow[]): string {
  const variants = [...new Set(rows.map((row) => row.variant))];
  const concurrencies = [...new Set(rows.map((row) => row.concurrency))].sort((a, b) => a - b);
  const colours = colourVariants(variants);
  const legend = drawLegend(variants, colours, 84);
  const plotTop = legend.bottom + 48;
  const height = plotTop + plotHeight + 70;
  const panelWidth = (width - margin.left - margin.right - panelGap) / panels.length;
  const body = panels.map((panel, index) =>
    drawPanel(panel, rows, variants, concurrencies, colours, {
      left: margin.left + index * (panelWidth + panelGap),
      top: plotTop,
      width: panelWidth,
    }),
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
      `viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}" font-family="${font}">`,
    `<title>${escapeXml(title)}</title>`,
    // Opaque, so the chart stays readable on a dark page too.
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    text(width / 2, 36, title, { size: 21, weight: 'bold', anchor: 'middle' }),
    text(width / 2, 60, subtitle, { size: 13, anchor: 'middle', fill: '#555' }),
    legend.svg,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

function colourVariants(variants: readonly string[]): Map<string, string> {
  let next = 0;
  return new Map(
    variants.map((variant) => [
      variant,
      variant.startsWith('haproxy') ? referenceColour : (palette[next++ % palette.length] as string),
    ]),
  );
}

/** One row (or more, if they do not fit) of colour swatches with the variants' names, centred. */
function drawLegend(
  variants: readonly string[],
  colours: ReadonlyMap<string, string>,
  top: number,
): { svg: string; bottom: number } {
  const size = 13;
  const swatch = 14;
  const entryGap = 28;
  const entries = variants.map((variant) => ({ variant, width: swatch + 8 + textWidth(variant, size) }));
  const lines: (typeof entries)[] = [[]];
  let lineWidth = 0;
  for (const entry of entries) {
    const current = lines.at(-1) as typeof entries;
    if (current.length > 0 && lineWidth + entryGap + entry.width > width - 80) {
      lines.push([entry]);
      lineWidth = entry.width;
    } else {
      lineWidth += (current.length > 0 ? entryGap : 0) + entry.width;
      current.push(entry);
    }
  }
  const parts: string[] = [];
  lines.forEach((line, index) => {
    const total = line.reduce((sum, entry) => sum + entry.width, 0) + entryGap * (line.length - 1);
    let x = (width - total) / 2;
    const y = top + index * 24;
    for (const entry of line) {
      const colour = colours.get(entry.variant) ?? referenceColour;
      parts.push(
        `<rect x="${r(x)}" y="${y - swatch + 2}" width="${swatch}" height="${swatch}" fill="${colour}"/>`,
      );
      parts.push(text(x + swatch + 8, y, entry.variant, { size }));
      x += entry.width + entryGap;
    }
  });
  return { svg: parts.join('\n'), bottom: top + (lines.length - 1) * 24 };
}

interface Frame {
  readonly left: number;
  readonly top: number;
  readonly width: number;
}

function drawPanel(
  panel: Panel,
  rows: readonly HeterogeneousRow[],
  variants: readonly string[],
  concurrencies: readonly number[],
  colours: ReadonlyMap<string, string>,
  frame: Frame,
): string {
  const { left, top } = frame;
  const bottom = top + plotHeight;
  const values = rows.map(panel.value);
  // Headroom above the tallest bar for its value label.
  const scale = niceScale(Math.max(...values, 0) * 1.12);
  const y = (value: number) => bottom - (value / scale.max) * plotHeight;
  const parts: string[] = [
    text(left + frame.width / 2, top - 18, panel.heading, { size: 15, weight: 'bold', anchor: 'middle' }),
  ];

  for (const tick of scale.ticks) {
    const ty = r(y(tick));
    parts.push(`<line x1="${left}" x2="${r(left + frame.width)}" y1="${ty}" y2="${ty}" stroke="#e3e3e3"/>`);
    parts.push(
      text(left - 8, ty + 4, formatTick(tick, scale.step), { size: 12, anchor: 'end', fill: '#444' }),
    );
  }
  const axisX = left - 62;
  parts.push(
    text(axisX, top + plotHeight / 2, panel.axisTitle, {
      size: 13,
      anchor: 'middle',
      fill: '#333',
      transform: `rotate(-90 ${r(axisX)} ${r(top + plotHeight / 2)})`,
    }),
  );

  const groupWidth = frame.width / concurrencies.length;
  const slot = (groupWidth * 0.78) / variants.length;
  const barWidth = slot * 0.8;
  const labels = rows.map((row) => panel.format(panel.value(row)));
  // Value labels go upright above the bars when they fit in a bar's slot, else turned up the bar.
  const upright = Math.max(...labels.map((label) => textWidth(label, 11))) <= slot - 2;
  concurrencies.forEach((concurrency, group) => {
    const groupLeft = left + group * groupWidth + groupWidth * 0.11;
    variants.forEach((variant, index) => {
      const x = groupLeft + index * slot + (slot - barWidth) / 2;
      const centre = x + barWidth / 2;
      const row = rows.find(
        (candidate) => candidate.concurrency === concurrency && candidate.variant === variant,
      );
      if (row === undefined) {
        parts.push(text(centre, bottom - 6, 'n/a', { size: 11, anchor: 'middle', fill: '#888' }));
        return;
      }
      const value = panel.value(row);
      const barTop = y(value);
      const colour = colours.get(variant) ?? referenceColour;
      const label = panel.format(value);
      // A tooltip per bar: viewers that show SVG titles give the exact figure on hover.
      const tooltip = escapeXml(`${variant}, C=${concurrency}: ${label} ${panel.axisTitle}`);
      const geometry = `x="${r(x)}" y="${r(barTop)}" width="${r(barWidth)}" height="${r(bottom - barTop)}"`;
      parts.push(`<rect ${geometry} fill="${colour}"><title>${tooltip}</title></rect>`);
      parts.push(
        upright
          ? text(centre, barTop - 5, label, { size: 11, anchor: 'middle', fill: '#222' })
          : text(centre + 4, barTop - 5, label, {
              size: 11,
              fill: '#222',
              transform: `rotate(-90 ${r(centre + 4)} ${r(barTop - 5)})`,
            }),
      );
    });
    parts.push(
      text(left + (group + 0.5) * groupWidth, bottom + 22, `C = ${concurrency}`, {
        size: 14,
        anchor: 'middle',
      }),
    );
  });
  parts.push(
    `<line x1="${left}" x2="${r(left + frame.width)}" y1="${bottom}" y2="${bottom}" stroke="#333"/>`,
  );
  parts.push(`<line x1="${left}" x2="${left}" y1="${top}" y2="${bottom}" stroke="#333"/>`);
  parts.push(
    text(left + frame.width / 2, bottom + 48, 'concurrent callers', {
      size: 13,
      anchor: 'middle',
      fill: '#333',
    }),
  );
  return `<g>\n${parts.join('\n')}\n</g>`;
}

/** An axis from 0 to a round number just above `max`, in 1, 2, 2.5 or 5 × 10ⁿ steps, 4 to 8 of them. */
function niceScale(max: number): { max: number; step: number; ticks: number[] } {
  if (!(max > 0)) return { max: 1, step: 0.5, ticks: [0, 0.5, 1] };
  const rough = max / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 2.5, 5, 10].find((factor) => factor * power >= rough) ?? 10) * power;
  const top = Math.ceil(max / step) * step;
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, index) => index * step);
  return { max: top, step, ticks };
}

/** Tick labels carry as many decimals as the step has (2.5 → `7.5`; 50 → `50`, never `50.0`). */
function formatTick(value: number, step: number): string {
  const decimals = (String(Number(step.toPrecision(12))).split('.')[1] ?? '').length;
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

function formatCount(value: number): string {
  if (value >= 10_000) return `${(value / 1000).toFixed(value >= 100_000 ? 0 : 1)}k`;
  return Math.round(value).toLocaleString('en-US');
}

function formatMs(value: number): string {
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  if (value >= 10) return value.toFixed(1);
  return value === 0 ? '0' : value.toFixed(2);
}

interface TextStyle {
  readonly size: number;
  readonly anchor?: 'start' | 'middle' | 'end';
  readonly weight?: 'bold';
  readonly fill?: string;
  readonly transform?: string;
}

function text(x: number, y: number, content: string, style: TextStyle): string {
  const attributes = [
    `x="${r(x)}"`,
    `y="${r(y)}"`,
    `font-size="${style.size}"`,
    style.anchor && style.anchor !== 'start' ? `text-anchor="${style.anchor}"` : '',
    style.weight ? `font-weight="${style.weight}"` : '',
    `fill="${style.fill ?? '#222'}"`,
    style.transform ? `transform="${style.transform}"` : '',
  ].filter(Boolean);
  return `<text ${attributes.join(' ')}>${escapeXml(content)}</text>`;
}

function textWidth(content: string, size: number): number {
  return content.length * size * glyphWidth;
}

/** Coordinates to 0.1 px: finer is invisible and only makes the file noisier to diff. */
function r(value: number): number {
  return Math.round(value * 10) / 10;
}

function escapeXml(content: string): string {
  return content.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

// ---------------------------------------------------------------------------------------------------

const defaultInput = fileURLToPath(new URL('../.bench-results/heterogeneous.json', import.meta.url));
const defaultOutput = fileURLToPath(new URL('../docs/bench-heterogeneous.svg', import.meta.url));

async function main(argv: readonly string[]): Promise<void> {
  const [input = defaultInput, output = defaultOutput] = argv;
  let json: unknown;
  try {
    json = JSON.parse(await readFile(input, 'utf8'));
  } catch (error: unknown) {
    throw new Error(`Cannot read ${input}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let rows: HeterogeneousRow[];
  try {
    rows = readHeterogeneous(json);
  } catch (error: unknown) {
    throw new Error(`${input}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const svg = renderHeterogeneousSvg(rows);
  await mkdir(dirname(resolve(output)), { recursive: true });
  await writeFile(output, svg);
  console.log(`Chart written to ${output}`);
}

// Run directly, not when imported.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    await main(process.argv.slice(2));
  } catch (error: unknown) {
    // A missing or misshapen file needs its message, not a stack trace.
    console.error(error instanceof Error ? error.message : String(error));
    console.error('Usage: node --import tsx bench/chart.ts [input.json] [output.svg]');
    process.exitCode = 1;
  }
}
