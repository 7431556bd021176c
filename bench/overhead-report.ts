// The `overhead` benchmark's figures and tables.
import { type Cell, fixed, formatTable, heading } from './format.js';

export interface BlockResult {
  readonly throughput: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly cpuUsPerCall: number;
}

export interface RoundResult {
  readonly round: number;
  readonly first: 'plain' | 'balanced';
  readonly plain: BlockResult;
  readonly balanced: BlockResult;
}

export interface OverheadReport {
  readonly settings: { rounds: number; calls: number; warmup: number };
  readonly rounds: readonly RoundResult[];
  readonly median: { readonly plain: BlockResult; readonly balanced: BlockResult };
  readonly comparison: {
    /** Balanced throughput over plain throughput (medians); below 1 means the balancer costs time. */
    readonly throughputRatio: number;
    /** Balanced minus plain client CPU per call (medians): the balancer's own CPU per call. */
    readonly balancerCpuUsPerCall: number;
    /** Same difference taken within each round, to show how much it moves between rounds. */
    readonly balancerCpuUsPerCallByRound: readonly number[];
    /** Median of the per-round differences: less sensitive to a round disturbed by other processes. */
    readonly balancerCpuUsPerCallPaired: number;
    readonly p50DiffUs: number;
  };
}

const blockHeaders = ['variant', 'calls/s', 'p50 µs', 'p99 µs', 'CPU µs/call'];

function blockCells(label: string, block: BlockResult): Cell[] {
  return [
    label,
    fixed(block.throughput, 0),
    fixed(block.p50Us, 1),
    fixed(block.p99Us, 1),
    fixed(block.cpuUsPerCall, 1),
  ];
}

export function printOverhead(report: OverheadReport): void {
  const { rounds, calls, warmup } = report.settings;
  console.log(heading('overhead: plain node-soap vs soap-balancer, one server'));
  console.log(`\nAdd(1, 2), ${calls} sequential calls per block (after ${warmup} warm-up),`);
  console.log(`${rounds} round(s), one Calculator server in a child process, client CPU only\n`);
  const roundRows = report.rounds.flatMap((round) => [
    blockCells(`round ${round.round} plain${round.first === 'plain' ? ' (1st)' : ''}`, round.plain),
    blockCells(`round ${round.round} balanced${round.first === 'balanced' ? ' (1st)' : ''}`, round.balanced),
  ]);
  console.log(formatTable(blockHeaders, roundRows));
  console.log('\nMedians over rounds\n');
  const { plain, balanced } = report.median;
  console.log(formatTable(blockHeaders, [blockCells('plain', plain), blockCells('balanced', balanced)]));
  const { comparison } = report;
  const byRound = comparison.balancerCpuUsPerCallByRound.map((value) => fixed(value, 1)).join(', ');
  console.log('');
  console.log(`throughput balanced/plain:           ${fixed(comparison.throughputRatio, 3)}`);
  console.log(`balancer's own CPU per call:         ${fixed(comparison.balancerCpuUsPerCall, 1)} µs`);
  console.log(`  same, per round (balanced-plain):  ${byRound} µs`);
  console.log(`  median of the per-round values:    ${fixed(comparison.balancerCpuUsPerCallPaired, 1)} µs`);
  console.log(`p50 latency added:                   ${fixed(comparison.p50DiffUs, 1)} µs`);
}
