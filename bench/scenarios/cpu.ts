// `cpu`: the balancer's own CPU per call without the network's noise: node-soap with a canned
// in-process http client, plain vs balanced over that same client, as `overhead` compares them. What
// remains between the two is exactly what soap-balancer adds (selection, URL rewrite, bookkeeping).
import { createClientAsync } from 'soap';
import { calculatorWsdl } from '../../examples/calculator/wsdl.js';
import { createBalancedClient } from '../../src/index.js';
import type { Scenario } from '../harness/scenario.js';
import { heading } from '../harness/table.js';
import { checkBound } from '../harness/targets.js';
import { addCall, comparePlainBalanced } from './overhead.js';

const origin = 'http://calculator.test';
const wsdl = calculatorWsdl({ address: `${origin}/calculator` });
const answer =
  '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">' +
  '<soap:Body><tns:AddResponse xmlns:tns="http://example.com/calculator"><tns:result>3</tns:result>' +
  '<tns:server>canned</tns:server></tns:AddResponse></soap:Body></soap:Envelope>';

/** Answers like a server would, asynchronously, without sockets: the WSDL to a GET, AddResponse to a POST. */
const httpClient = {
  request(
    _url: string,
    data: unknown,
    callback: (error: unknown, response?: unknown, body?: unknown) => void,
  ) {
    const body = data === null || data === undefined ? wsdl : answer;
    const response = {
      status: 200,
      headers: { 'content-type': 'text/xml' },
      data: body,
      config: { headers: {} },
    };
    return Promise.resolve().then(() => {
      callback(null, response, body);
      return response;
    });
  },
};

export const cpu: Scenario = {
  name: 'cpu',
  // About 60 µs of CPU a call here, two clients, ten times --calls per block, one settling round.
  seconds: (s) => 2 + (2 * 10 * (s.calls + s.warmupCalls) * (s.reps + 1) * 60) / 1e6,
  run: async (settings) => {
    console.log(heading("cpu: the balancer's own CPU per call, no network (canned in-process http client)"));
    const wsdlUrl = `${origin}/calculator?wsdl`;
    const plain = await createClientAsync(wsdlUrl, { httpClient: httpClient as never, disableCache: true });
    const balanced = await createBalancedClient(wsdlUrl, {
      servers: [origin],
      soap: { httpClient: httpClient as never },
    });
    try {
      const blocks = { ...settings, calls: 10 * settings.calls };
      const { balancerCpuUsPerCall } = await comparePlainBalanced(
        'cpu',
        addCall(plain),
        addCall(balanced),
        blocks,
      );
      return [checkBound("the balancer's own CPU per call <= 25 µs", balancerCpuUsPerCall, '<=', 25, 'µs')];
    } finally {
      await balanced.close();
    }
  },
};
