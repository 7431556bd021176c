/**
 * Knows which SOAP operation is being invoked while node-soap builds and sends its request. node-soap
 * calls the http client synchronously from inside `Client._invoke`, so a value set around that call
 * is exact; `enter` returns the previous one for `exit`, so it nests when a `request` event listener
 * starts a call of its own.
 */
export class OperationTracker {
  #current: string | undefined;

  get current(): string | undefined {
    return this.#current;
  }

  enter(operation: string): string | undefined {
    const previous = this.#current;
    this.#current = operation;
    return previous;
  }

  exit(previous: string | undefined): void {
    this.#current = previous;
  }
}
