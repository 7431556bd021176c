import { defaultOptions } from '../client/options.js';
import { defaultMonitorOptions } from '../monitor/options.js';
import { defaultStatusListenOptions } from '../monitor/status-listen.js';
import { defaultProxyOptions } from '../proxy/options.js';

/** Bad command-line input: the message names the flag; the process exits with code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Exit codes of the CLI. */
export const exitCode = { ok: 0, failure: 1, usage: 2 } as const;

/** The environment variable that may hold the bearer token (kept out of the process list). */
export const tokenVariable = 'SOAP_BALANCER_MONITOR_TOKEN';

export const mainUsage = `Usage: soap-balancer <command> [options]

Commands:
  monitor        Probe SOAP replicas and serve their status at GET /status (dashboard at /)
  status         Show a monitor's pool as a table (--watch: redraw until Ctrl-C)
  proxy          Serve SOAP clients of any stack in the service's place, balancing their calls

Options:
  -h, --help     Show this help (soap-balancer <command> --help: the command's options)
  -v, --version  Print the version
`;

const d = defaultMonitorOptions;

export const monitorUsage = `Usage: soap-balancer monitor --server URL [--server URL ...] [--servers-file FILE] [options]

Probes every server each interval and serves what it saw at GET /status (JSON, status schema v1),
for balanced clients to pick the least busy live server. GET /healthz answers "ok".

Servers (at least one of):
  --server URL          Base URL of a replica, e.g. http://10.0.0.1:8000; repeat for each
  --servers-file FILE   One server per line: URL [id=NAME] [draining]; # starts a comment.
                        Reread when it changes: servers are added, removed and drained to match

Status API:
  --port N              Port to listen on; 0 picks a free one (default ${defaultStatusListenOptions.port})
  --host H              Interface to listen on (default ${defaultStatusListenOptions.host})
  --token T             Bearer token that /status and /metrics require. Better: set ${tokenVariable},
                        which stays out of the process list
  --etag-load-threshold X
                        How far a server's load must move for /status to get a new ETag; below
                        it, pollers get 304 (a state or membership change always counts)
                        (default ${d.etagLoadThreshold})

Probing:
  --interval-ms N       Time between probe rounds (default ${d.intervalMs})
  --timeout-ms N        Time one probe may take, at most --interval-ms (default ${d.timeoutMs})
  --health-path P       Path probed on servers without load reporter; <500 = alive (default ${d.healthPath})
  --load-path P         Path of the servers' load reporter (default ${d.loadPath})
  --no-load-path        The servers have no load reporter: probe --health-path only
  --rise N              Successful probes in a row that bring a server up (default ${d.rise})
  --fall N              Failed probes in a row that take a server down (default ${d.fall})
  --concurrency N       Most probes in flight at once (default ${d.concurrency})

Logging (standard error, one line per event):
  --log-format F        text: "<ISO time> <LEVEL> <message>" (default); json: one JSON object a line,
                        {"time","level","msg",...} with fields such as server, url, state, code

Publishing to etcd (for clients with the etcd option):
  --etcd URL            Client URL of an etcd member, e.g. http://10.0.0.1:2379; repeat for each
  --etcd-prefix P       Key prefix the clients watch, e.g. /soap-balancer/v1/orders/
  --etcd-lease-ttl N    Seconds the keys outlive a monitor killed without a word (default 5).
                        Monitors sharing a prefix elect one leader, the only one that writes; a
                        key a replica's own load reporter holds is never overwritten

  -h, --help            Show this help

Prints "soap-balancer monitor listening on <url>" once the first round is done and /status is
served (the dashboard is at the same address, path /); stops on SIGINT or SIGTERM (exit code 0).
Bad arguments exit with code 2.
`;

const p = defaultProxyOptions;

export const proxyUsage = `Usage: soap-balancer proxy --port P (--server URL ... | --servers-file FILE | --monitor URL | --etcd URL ...) [options]

Serves the service's WSDLs and schemas (any GET) with its own public URL in place of every service
address, so unchanged SOAP clients send every call (POST) to it; each call goes to the least busy
live server and fails over as the library's calls do.

Servers (one of; --server may be combined with --monitor or --etcd):
  --server URL          Base URL of a replica, e.g. http://10.0.0.1:8000; repeat for each
  --servers-file FILE   One server per line: URL [id=NAME] [draining]; reread when it changes
  --monitor URL         A soap-balancer monitor's status API (token: ${tokenVariable})
  --etcd URL            Client URL of an etcd member holding the servers' status; repeat for each
  --etcd-prefix P       Key prefix the reporters and monitor write, e.g. /soap-balancer/v1/orders/

Listening:
  --port P              Port to listen on; 0 picks a free one (required)
  --host H              Interface to listen on (default ${p.host})
  --public-url URL      URL clients reach the proxy at, written into the WSDLs
                        (default: http://<host>:<port> of the listening socket)
  --workers N           Worker processes sharing the port, each balancing on its own (default 1)

Admin (metrics and health, on a port of their own; default: none):
  --admin-port P        Serve GET /metrics (Prometheus) and GET /healthz on this port; 0 picks one
  --admin-host H        Interface of the admin port (default 127.0.0.1)
  --name NAME           The proxy label of its soap_balancer_proxy_* metrics (default ${p.name})

Calls:
  --idempotent OP,...   Operations safe to run twice (retried after a failure that may have run
                        them); '*' for all (default: none)
  --allow PATTERN,...   Servers a monitor or etcd may add, e.g. 'http://10.0.0.*:8000' (default: the
                        origins of --server)
  --max-attempts N      Most servers one call is tried on (default ${defaultOptions.maxAttempts})
  --timeout-ms N        Time one attempt may wait for the answer's headers (default ${defaultOptions.timeoutMs})
  --fetch-timeout-ms N  Time one WSDL or schema fetch may take (default ${defaultOptions.fetchTimeoutMs})

Limits:
  --max-body-bytes N        Largest request body; larger: 413 (default ${p.maxBodyBytes})
  --replay-body-bytes N     Bodies up to this size can be sent again to another server; larger ones
                            are streamed to one server, once (default ${p.replayBodyBytes})
  --headers-timeout-ms N    Time a client may take to send its headers (default ${p.headersTimeoutMs})
  --request-timeout-ms N    Time a client may take to send its whole request (default ${p.requestTimeoutMs})
  --drain-timeout-ms N      On SIGINT/SIGTERM, how long calls in flight may finish (default ${p.drainTimeoutMs})

  -h, --help            Show this help

Prints "soap-balancer proxy listening on <url>" when ready (once, when every worker listens), then
"soap-balancer proxy admin on <url>" with --admin-port; on SIGINT or SIGTERM stops accepting, lets the
calls in flight finish (in every worker) and exits with code 0. A worker that dies is restarted (at
most 5 times a minute). Bad arguments exit with code 2.
`;
