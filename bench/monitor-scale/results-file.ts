import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname } from 'node:path';

/** Writes `results` as JSON with the date and the machine it was measured on, creating the folder. */
export async function writeResultsFile(file: string, results: object): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const environment = {
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
  };
  const document = { date: new Date().toISOString(), environment, ...results };
  await writeFile(file, `${JSON.stringify(document, null, 2)}\n`);
}
