import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

/**
 * Asserts that `text` passes `promtool check metrics` (Debian `prometheus`): it parses as Prometheus'
 * text format and breaks none of promtool's naming rules (`_total` counters, base units, help text).
 */
export function assertPromtoolAccepts(text: string): void {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.equal(result.error, undefined, `promtool could not run: ${String(result.error)}`);
  assert.equal(
    result.status,
    0,
    `promtool check metrics refused:\n${result.stdout}${result.stderr}\n${text}`,
  );
}
