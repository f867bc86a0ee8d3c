/**
 * Errors a flow tells apart, whichever connector threw them. Kept out of
 * index.ts so connectors can import them without a module cycle.
 */

/** The slot was free when offered and taken by someone else since: the flow offers others. */
export class SlotTakenError extends Error {
  constructor(readonly slotId: string) {
    super(`the slot ${slotId} was just taken`);
    this.name = 'SlotTakenError';
  }
}

/** A connector's settings in bot.yaml are wrong; `path` is where (connectors.orders.store). */
export class ConnectorConfigError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
    this.name = 'ConnectorConfigError';
  }
}

/**
 * A connector's API answered with an error or not at all. `retryable` says
 * whether the same call may succeed later (429, 5xx, network); `retryAfterMs`
 * is the provider's own hint when it gave one.
 */
export class ConnectorHttpError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly retryable: boolean,
    readonly retryAfterMs?: number | undefined,
  ) {
    super(message);
    this.name = 'ConnectorHttpError';
  }
}
