/**
 * Every few seconds, in each worker process: give waiting conversations to
 * operators who came free, and let those nobody took within their team's
 * `offline_after` go back to the bot, which offers to leave a message. Every
 * change is one guarded SQL statement, so several workers sweeping at once
 * cannot give a conversation twice or expire a taken one.
 */
import type { Logger } from '@passerelle/core';
import type { HandoffDesk, TeamsFile } from '@passerelle/dialog';

export function startDeskSweeper(
  desk: HandoffDesk,
  teams: () => TeamsFile,
  logger: Logger,
  everyMs = 5_000,
): { stop(): void } {
  let running = false;
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      await desk.assignWaiting();
      for (const [id, team] of Object.entries(teams().teams)) await desk.expire(id, team.offline_after);
    } catch (error) {
      logger.warn({ err: error }, 'handoff sweep failed; trying again shortly');
    } finally {
      running = false;
    }
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
