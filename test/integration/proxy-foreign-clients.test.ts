// SOAP clients of other stacks, unchanged, through the proxy: Python zeep, PHP SoapClient, Perl
// SOAP::Lite (and node-soap). Each knows only the WSDL's URL on the proxy. The replicas are child
// processes, so that one can really be SIGKILLed while the clients call.
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { type TestContext, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createClientAsync } from 'soap';
import { type ReplicaProcess, startReplica } from '../../examples/processes.js';
import { RoundRobinPolicy } from '../../src/index.js';
import { startProxy } from '../helpers/proxy.js';

type Answer = { result: number; server: string } | { fault: string } | { error: string };

const fixture = (name: string) =>
  fileURLToPath(new URL(`../fixtures/foreign-clients/${name}`, import.meta.url));

/** A client process driven by commands on stdin (`add N`, `divide`), one JSON answer line per command. */
class ForeignClient {
  readonly name: string;
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #answers: Answer[] = [];
  #waiting: (() => void) | undefined;
  #stderr = '';

  constructor(t: TestContext, name: string, command: string, args: readonly string[]) {
    this.name = name;
    this.#child = spawn(command, args);
    this.#child.stderr.on('data', (chunk: Buffer) => (this.#stderr += chunk));
    createInterface({ input: this.#child.stdout }).on('line', (line) => {
      this.#answers.push(JSON.parse(line) as Answer);
      this.#waiting?.();
    });
    t.after(() => {
      if (this.#child.exitCode === null) this.#child.kill('SIGKILL');
    });
  }

  /** Sends the commands and resolves with their answers once all have come. */
  async run(commands: readonly string[]): Promise<Answer[]> {
    const until = this.#answers.length + commands.length;
    this.#child.stdin.write(commands.map((command) => `${command}\n`).join(''));
    const exited = new Promise<never>((_, reject) =>
      this.#child.once('exit', (code) => reject(new Error(`${this.name} exited (${code}): ${this.#stderr}`))),
    );
    while (this.#answers.length < until) {
      await Promise.race([new Promise<void>((resolve) => (this.#waiting = resolve)), exited]);
    }
    return this.#answers.slice(until - commands.length, until);
  }
}

/** node-soap, unchanged, behind the same interface. */
async function nodeSoapClient(wsdlUrl: string) {
  const client = await createClientAsync(wsdlUrl);
  return {
    name: 'node-soap',
    run: async (commands: readonly string[]): Promise<Answer[]> => {
      const answers: Answer[] = [];
      for (const command of commands) {
        const [verb, n] = command.split(' ');
        try {
          if (verb === 'add') {
            const [answer] = await client.AddAsync({ a: Number(n), b: 1 });
            answers.push({ result: answer.result, server: answer.server });
          } else {
            await client.DivideAsync({ a: 1, b: 0 });
            answers.push({ error: 'no fault' });
          }
        } catch (error: unknown) {
          const fault = (error as { root?: { Envelope?: { Body?: { Fault?: { faultstring?: string } } } } })
            .root?.Envelope?.Body?.Fault?.faultstring;
          answers.push(verb === 'divide' && fault ? { fault } : { error: String(error) });
        }
      }
      return answers;
    },
  };
}

const adds = (from: number, count: number) => Array.from({ length: count }, (_, i) => `add ${from + i}`);

test('zeep, PHP SoapClient, SOAP::Lite and node-soap call through the proxy, spread, survive a SIGKILLed replica, and get Faults', async (t) => {
  const replicas: ReplicaProcess[] = await Promise.all(
    ['r1', 'r2', 'r3'].map((name) => startReplica(name, 0, 16)),
  );
  t.after(() => {
    for (const replica of replicas) replica.process.kill('SIGKILL');
  });
  // Round robin, so that each client's sequential calls provably visit every replica.
  const proxy = await startProxy(t, {
    servers: replicas.map((replica) => replica.url),
    idempotent: ['Add'],
    policy: new RoundRobinPolicy(),
  });
  const wsdlUrl = `${proxy.url}/calculator?wsdl`;
  const clients = [
    new ForeignClient(t, 'zeep', '/usr/bin/python3', [fixture('calculator_client.py'), wsdlUrl]),
    new ForeignClient(t, 'php', 'php', [fixture('calculator_client.php'), wsdlUrl]),
    new ForeignClient(t, 'perl', 'perl', [fixture('calculator_client.pl'), wsdlUrl]),
    await nodeSoapClient(wsdlUrl),
  ];

  // Each has loaded the WSDL (and made a first call) before the turns below are counted.
  for (const answers of await Promise.all(clients.map((client) => client.run(['add 0'])))) {
    assert.deepEqual(
      answers.map((answer) => 'result' in answer && answer.result),
      [1],
    );
  }
  // One client after the other, so that round robin gives each one every replica in turn.
  for (const client of clients) {
    const answers = await client.run(adds(0, 6));
    assert.deepEqual(
      answers.map((answer) => ('result' in answer ? answer.result : answer)),
      [1, 2, 3, 4, 5, 6],
      client.name,
    );
    assert.deepEqual(
      new Set(answers.map((answer) => 'server' in answer && answer.server)),
      new Set(['r1', 'r2', 'r3']),
      client.name,
    );
  }

  const victim = replicas[1] as ReplicaProcess;
  const dead = new Promise((resolve) => victim.process.once('exit', resolve));
  victim.process.kill('SIGKILL');
  await dead;

  // Every idempotent call still succeeds, on the replicas left; a Fault still reaches each as a Fault.
  const after = await Promise.all(clients.map((client) => client.run([...adds(100, 9), 'divide'])));
  for (const [index, answers] of after.entries()) {
    const name = clients[index]?.name;
    const results = answers.slice(0, 9);
    assert.deepEqual(
      results.map((answer) => ('result' in answer ? answer.result : answer)),
      Array.from({ length: 9 }, (_, i) => 101 + i),
      name,
    );
    assert.ok(
      results.every((answer) => 'server' in answer && answer.server !== 'r2'),
      name,
    );
    assert.match(
      (answers[9] as { fault?: string }).fault ?? JSON.stringify(answers[9]),
      /Division by zero/,
      name,
    );
  }
});
