// One caller process of a load (see loop.ts): opens the client its argument describes, prints `ready`,
// then for each window read as a JSON line on stdin runs the closed loop and prints the sample as one
// JSON line. Ends when stdin closes: when the bench is done with it, or has died.
// Usage: node --import tsx bench/load/caller-process.ts '<CallerSpec as JSON>'
import { createInterface } from 'node:readline';
import { type CallerSpec, openCaller } from './callers.js';
import { runClosedLoop, type Window } from './loop.js';

const caller = await openCaller(JSON.parse(process.argv[2] ?? '') as CallerSpec);
console.log('ready');
for await (const line of createInterface({ input: process.stdin })) {
  console.log(JSON.stringify(await runClosedLoop(caller.call, JSON.parse(line) as Window)));
}
await caller.close();
