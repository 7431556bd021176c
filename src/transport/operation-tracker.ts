/**
 * Knows which SOAP operation is being invoked while node-soap builds and sends its request. node-soap
 * calls the http client synchronously from inside `Client._invoke`, so a stack set around that call
 * is exact, also when a `request` event listener starts a call of its own.
 */
export class OperationTracker {
  #current: string | undefined;

  run<T>(operation: string, invoke: () => T): T {
    const previous = this.#current;
    this.#current = operation;
    try {
      return invoke();
    } finally {
      this.#current = previous;
    }
  }

  get current(): string | undefined {
    return this.#current;
  }
}
