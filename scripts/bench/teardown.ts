/**
 * What to undo, in reverse order of setting up, whether the benchmark ends
 * well, fails, or is interrupted (Ctrl-C runs every open teardown first).
 */
const open = new Set<Teardown>();

export class Teardown {
  private readonly steps: Array<{ label: string; undo: () => Promise<unknown> }> = [];

  constructor() {
    open.add(this);
  }

  add(label: string, undo: () => Promise<unknown>): void {
    this.steps.push({ label, undo });
  }

  /** Runs every step once, newest first; a step that fails is reported and the others still run. */
  async run(): Promise<void> {
    open.delete(this);
    for (const { label, undo } of this.steps.splice(0).reverse()) {
      try {
        await undo();
      } catch (error) {
        console.error(`cleanup: could not ${label}: ${(error as Error).message}`);
      }
    }
  }
}

/** On Ctrl-C or SIGTERM: clean up what is open, then exit. */
export function cleanUpOnSignals(): void {
  const onSignal = async (signal: NodeJS.Signals) => {
    console.error(`\n${signal}: cleaning up before exiting`);
    for (const teardown of [...open].reverse()) await teardown.run();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}
