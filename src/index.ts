// The public API. Everything else (the Balancer class, the transport, the failover runner, the
// operation tracker) is internal and may change in any release. The prom-client adapter is the
// `soap-balancer/prom-client` entry (src/prom-client.ts), so that this one never loads prom-client.

export type {
  BalancerEvents,
  FailoverEvent,
  ServerDownEvent,
  ServerUpEvent,
  StatusErrorEvent,
  StatusUpdateEvent,
} from './balancer/events.js';
export { type LeastBusyOptions, LeastBusyPolicy } from './balancer/policies/least-busy.js';
export { type RandomOptions, RandomPolicy } from './balancer/policies/random.js';
export { type RoundRobinOptions, RoundRobinPolicy } from './balancer/policies/round-robin.js';
export type { PickView, SelectionPolicy, ServerView } from './balancer/policy.js';
export type { RetryBudgetOptions } from './balancer/retry-budget.js';
export type { ServerInfo } from './balancer/server-state.js';
export type { BalancedClientHandle } from './client/balanced-client-handle.js';
export {
  BALANCER_ENDPOINT,
  type BalancedSoapClient,
  createBalancedClient,
} from './client/create-balanced-client.js';
export { defaultEtcdClientOptions, type EtcdClientOptions } from './client/etcd-options.js';
export { defaultMonitorClientOptions, type MonitorClientOptions } from './client/monitor-options.js';
export { type BalancedClientOptions, defaultOptions, type IdempotencyOption } from './client/options.js';
export {
  type AttemptFailure,
  ErrorCode,
  type FailureKind,
  isSoapBalancerError,
  SoapBalancerError,
  type SoapBalancerErrorDetails,
} from './errors.js';
export type { EtcdWriterOptions } from './etcd/writer-options.js';
export {
  attachLoadReporter,
  type LoadReporter,
  type LoadReporterOptions,
  type ReporterEtcdOptions,
} from './load-report/reporter.js';
export {
  defaultLoadReportPath,
  type LoadReport,
  loadScore,
  parseLoadReport,
} from './load-report/schema.js';
export { encodePrometheusText, prometheusContentType } from './metrics/encode.js';
export type {
  HistogramFamily,
  HistogramSample,
  MetricFamily,
  MetricLabels,
  MetricsSource,
  ValueFamily,
  ValueSample,
} from './metrics/families.js';
export type { MonitorEvents, ProbeErrorEvent } from './monitor/events.js';
export type { MonitorHistory, ServerHistory } from './monitor/history.js';
export type { ProbeAnswer, ProbeTransport } from './monitor/http-transport.js';
export { createMonitor, type Monitor } from './monitor/monitor.js';
export {
  defaultMonitorOptions,
  type MonitorOptions,
} from './monitor/options.js';
export type { MonitoredServerInput, MonitoredServerOptions } from './monitor/server-entry.js';
export type { StatusListenOptions } from './monitor/status-listen.js';
export type {
  AttemptEndMessage,
  AttemptStartMessage,
  CallEndMessage,
  CallMessage,
} from './observe/channels.js';
export { createProxy, type SoapProxy } from './proxy/create-proxy.js';
export { proxyFaultNamespace } from './proxy/error-answer.js';
export {
  defaultProxyOptions,
  type ProxyOptions,
  type ProxyStatusSourceFactory,
} from './proxy/options.js';
export {
  InvalidStatusError,
  type LoadSource,
  parseServerStatus,
  parseStatusSnapshot,
  type ServerHealthState,
  type ServerStatus,
  type StatusSnapshot,
  statusSchemaVersion,
} from './status/schema.js';
export {
  type RewriteOptions,
  type RewriteResult,
  type RewrittenAddress,
  rewriteWsdl,
} from './wsdl/rewrite.js';
