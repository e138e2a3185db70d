// The store could not be reached or refused a command: nothing was decided or sent on partial state, and the error
// says which store and what to do, for the tool result, the page and the log.

export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(
    readonly label: string,
    readonly detail: string,
    readonly fix: string,
  ) {
    super(`${label} is not reachable (${detail}), so nothing was approved or sent. ${fix}`);
  }
}
