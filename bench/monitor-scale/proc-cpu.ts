// CPU time of another process, from Linux's /proc: the monitor runs as a child, so process.cpuUsage()
// (this process only) cannot see it.
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';

/** The usual Linux value, used only when `getconf` is missing: /proc counts in these ticks. */
const fallbackClockTicksPerSecond = 100;

/** Clock ticks per second of /proc/<pid>/stat's times (`getconf CLK_TCK`). */
export function clockTicksPerSecond(): number {
  try {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(value) && value > 0 ? value : fallbackClockTicksPerSecond;
  } catch {
    return fallbackClockTicksPerSecond;
  }
}

/** User plus system CPU time of process `pid` (all its threads, GC and libuv pool included), in ticks. */
export async function cpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Field 2, the command name, is in parentheses and may itself hold blanks or `)`: fields are counted
  // from after the last `)`. There, index 0 is field 3 (state), so utime (14) and stime (15) are 11 and 12.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`Unreadable /proc/${pid}/stat`);
  return utime + stime;
}
