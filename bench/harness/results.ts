// Every scenario's numbers go to `.bench-results/<scenario>.json` (git-ignored), with the machine they
// were measured on, so that runs can be compared later (and charted by bench/chart.ts).
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const resultsDirectory = fileURLToPath(new URL('../../.bench-results/', import.meta.url));

export async function writeResults(scenario: string, results: object): Promise<void> {
  await mkdir(resultsDirectory, { recursive: true });
  const file = `${resultsDirectory}${scenario}.json`;
  const environment = {
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
  };
  const document = { scenario, date: new Date().toISOString(), environment, ...results };
  await writeFile(file, `${JSON.stringify(document, null, 2)}\n`);
  console.log(`\nResults written to ${file}`);
}
