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
