import type { ServerView } from './policy.js';
import { type PickClock, ServerState } from './server-state.js';

/**
 * The servers of one Balancer, in the order they joined, with the lists a pick reads (their URLs and
 * policy views) kept in step, and the way back from a policy's view to the server's state.
 */
export class ServerPool {
  /** Servers the application gave: they stay whatever a status source says. */
  readonly staticUrls: ReadonlySet<string>;
  #servers: readonly ServerState[];
  #urls: readonly string[];
  #views: readonly ServerView[];
  readonly #byView = new WeakMap<ServerView, ServerState>();
  /** Rebuilt only when the membership changes, so that a status change finds its server in O(1). */
  #byUrl = new Map<string, ServerState>();
  readonly #clock: PickClock;

  constructor(urls: readonly string[], clock: PickClock) {
    this.#clock = clock;
    this.staticUrls = new Set(urls);
    this.#servers = [];
    this.#urls = [];
    this.#views = [];
    this.replace(urls.map((url) => this.create(url)));
  }

  get servers(): readonly ServerState[] {
    return this.#servers;
  }

  get urls(): readonly string[] {
    return this.#urls;
  }

  get views(): readonly ServerView[] {
    return this.#views;
  }

  /** The state behind a view this pool gave out; `undefined` for any other object. */
  stateOf(view: ServerView): ServerState | undefined {
    return this.#byView.get(view);
  }

  /** The server with this (normalized) base URL, if it is in the pool. */
  find(url: string): ServerState | undefined {
    return this.#byUrl.get(url);
  }

  /** A new server, not yet in the pool (see `replace`). */
  create(url: string): ServerState {
    const server = new ServerState(url, this.#clock);
    this.#byView.set(server.view, server);
    return server;
  }

  replace(servers: readonly ServerState[]): void {
    this.#servers = servers;
    this.#urls = servers.map((server) => server.url);
    this.#views = servers.map((server) => server.view);
    this.#byUrl = new Map(servers.map((server) => [server.url, server]));
  }
}
