import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodePrometheusText, escapeLabelValue } from '../../src/metrics/encode.js';
import type { MetricFamily } from '../../src/metrics/families.js';
import { Counter, collectedGauge, durationBuckets, Histogram } from '../../src/metrics/instruments.js';
import { assertPromtoolAccepts } from '../helpers/promtool.js';

describe('metric instruments', () => {
  test('a counter keeps one series per combination of label values, constant labels first', () => {
    const counter = new Counter({
      name: 'demo_calls_total',
      help: 'Calls.',
      labelNames: ['operation', 'outcome'],
      constLabels: { client: 'c1' },
    });
    counter.labels('Add', 'answered').inc();
    counter.labels('Add', 'answered').inc(2);
    counter.labels('Add', 'fault').inc();
    counter.labels('Divide', 'answered').inc();
    counter.labels('Add', 'answered').inc(-5);
    assert.deepEqual(counter.collect(), {
      name: 'demo_calls_total',
      help: 'Calls.',
      type: 'counter',
      samples: [
        { labels: { client: 'c1', operation: 'Add', outcome: 'answered' }, value: 3 },
        { labels: { client: 'c1', operation: 'Add', outcome: 'fault' }, value: 1 },
        { labels: { client: 'c1', operation: 'Divide', outcome: 'answered' }, value: 1 },
      ],
    });
  });

  test('a histogram counts each value in the first bucket it fits, cumulated when collected', () => {
    const histogram = new Histogram({ name: 'demo_duration_seconds', help: 'Durations.', labelNames: [] });
    const child = histogram.labels();
    for (const seconds of [0.001, 0.005, 0.3, 31, Number.NaN]) child.observe(seconds);
    const family = histogram.collect();
    assert.equal(family.type, 'histogram');
    const [sample] = family.samples as Extract<MetricFamily, { type: 'histogram' }>['samples'];
    assert.deepEqual(
      sample?.buckets.map((bucket) => bucket.le),
      durationBuckets,
    );
    const countAt = (le: number) => sample?.buckets.find((bucket) => bucket.le === le)?.count;
    assert.equal(countAt(0.005), 2);
    assert.equal(countAt(0.25), 2);
    assert.equal(countAt(0.5), 3);
    assert.equal(countAt(30), 3);
    assert.equal(sample?.count, 4);
    assert.equal(sample?.sum, 31.306);
  });

  test('refuses invalid names and the wrong number of label values', () => {
    assert.throws(() => new Counter({ name: 'demo_calls', help: 'x', labelNames: [] }), /must end in _total/);
    assert.throws(
      () => new Counter({ name: 'bad-name_total', help: 'x', labelNames: [] }),
      /Invalid metric name/,
    );
    assert.throws(
      () => new Histogram({ name: 'demo_seconds', help: 'x', labelNames: ['le'] }),
      /Invalid label/,
    );
    const counter = new Counter({ name: 'demo_total', help: 'x', labelNames: ['a'] });
    assert.throws(() => counter.labels('x', 'y'), /takes 1 label values, got 2/);
  });
});

describe('encodePrometheusText', () => {
  test('writes HELP and TYPE once per name, escapes label values and help, and histograms in full', () => {
    const counter = new Counter({ name: 'demo_calls_total', help: 'Calls\\n "x"', labelNames: ['op'] });
    counter.labels('a"b\\c\nd').inc();
    const histogram = new Histogram({
      name: 'demo_duration_seconds',
      help: 'Durations.',
      labelNames: ['op'],
    });
    histogram.labels('Add').observe(0.2);
    const gauge = collectedGauge('demo_in_flight', 'In flight.', () => [{ labels: {}, value: 2 }]);
    const other = collectedGauge('demo_in_flight', 'In flight.', () => [
      { labels: { client: 'b' }, value: Number.POSITIVE_INFINITY },
    ]);
    const text = encodePrometheusText([
      counter.collect(),
      histogram.collect(),
      gauge.collect(),
      other.collect(),
    ]);
    const lines = text.split('\n');
    assert.equal(lines[0], '# HELP demo_calls_total Calls\\\\n "x"');
    assert.equal(lines[1], '# TYPE demo_calls_total counter');
    assert.equal(lines[2], 'demo_calls_total{op="a\\"b\\\\c\\nd"} 1');
    assert.ok(lines.includes('demo_duration_seconds_bucket{op="Add",le="0.1"} 0'));
    assert.ok(lines.includes('demo_duration_seconds_bucket{op="Add",le="0.25"} 1'));
    assert.ok(lines.includes('demo_duration_seconds_bucket{op="Add",le="+Inf"} 1'));
    assert.ok(lines.includes('demo_duration_seconds_sum{op="Add"} 0.2'));
    assert.ok(lines.includes('demo_duration_seconds_count{op="Add"} 1'));
    assert.equal(lines.filter((line) => line === '# TYPE demo_in_flight gauge').length, 1);
    assert.ok(lines.includes('demo_in_flight 2'));
    assert.ok(lines.includes('demo_in_flight{client="b"} +Inf'));
    assert.ok(text.endsWith('\n'));
    assertPromtoolAccepts(text);
  });

  test('refuses two families of one name with different types', () => {
    const gauge = collectedGauge('demo_total', 'x', () => []);
    const counter = new Counter({ name: 'demo_total', help: 'x', labelNames: [] });
    assert.throws(
      () => encodePrometheusText([gauge.collect(), counter.collect()]),
      /both a gauge and a counter/,
    );
  });

  test('escapes only backslash, double quote and line feed in label values', () => {
    assert.equal(escapeLabelValue('plain /path?x=1 é'), 'plain /path?x=1 é');
    assert.equal(escapeLabelValue('\\"\n'), '\\\\\\"\\n');
  });
});
