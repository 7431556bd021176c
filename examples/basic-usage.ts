// The smallest complete use of soap-balancer: two replicas, one balanced client, a few calls.
// Run: node --import tsx examples/basic-usage.ts

import { createBalancedClient, isSoapBalancerError } from '../src/index.js';
import { startCalculatorServer } from './calculator/server.js';

// Two identical replicas of a SOAP service (in a real system these run elsewhere).
const replicas = await Promise.all([startCalculatorServer(), startCalculatorServer()]);

// Was: const client = await soap.createClientAsync(replicas[0].wsdlUrl);
const client = await createBalancedClient(replicas[0]!.wsdlUrl, {
  servers: replicas.map((replica) => replica.url),
  idempotent: ['Add'], // Add may run twice safely; Divide may not
});

try {
  const [sum] = await client.AddAsync({ a: 20, b: 22 });
  console.log(`Add(20, 22) = ${sum.result}, served by ${sum.server}`);

  await client.DivideAsync({ a: 1, b: 0 });
} catch (error: unknown) {
  if (isSoapBalancerError(error)) console.log(`balancer error ${error.code}: ${error.message}`);
  else console.log(`SOAP Fault from the service, passed through untouched: ${(error as Error).message}`);
} finally {
  console.log('servers:', client.balancer.servers());
  await client.close();
  await Promise.all(replicas.map((replica) => replica.close()));
}
