/**
 * The progress watcher of `gateway broadcast send` and `status --watch`:
 * a cli-progress bar on a terminal, a line now and then elsewhere, and a
 * word when nothing moves (a campaign not open yet, no worker running).
 */
import {
  type Broadcast,
  type BroadcastProgress,
  type BroadcastStatus,
  broadcastProgress,
  type Db,
  getBroadcast,
} from '@passerelle/core';
import type { Campaign } from '@passerelle/dialog';
import cliProgress from 'cli-progress';
import { loadBotOrRefuse } from './bot-folder.js';
import { describeProgress } from './broadcast-text.js';
import { localTime } from './terminal-text.js';

/** How often the progress is read again. */
const WATCH_EVERY_MS = 1000;
/** Without a terminal, a progress line this often (and one when the status changes). */
const LINE_EVERY_MS = 5000;
/** Nothing moved for this long with people still to reach: the watcher says why it may be. */
const STILL_FOR_MS = 10_000;

/**
 * Follows a broadcast's progress until it stops running or Ctrl-C, which
 * only stops watching. A bar on a terminal; one line every 5 s otherwise
 * (a log file, a CI job). The sending itself happens in the workers.
 */
export async function watch(db: Db, id: string, about: { campaign?: Campaign; botDir: string }): Promise<void> {
  const tty = Boolean(process.stdout.isTTY);
  let interrupted = false;
  let wake: (() => void) | undefined;
  const onInterrupt = () => {
    interrupted = true;
    wake?.();
  };
  process.on('SIGINT', onInterrupt);
  const bar = tty
    ? new cliProgress.SingleBar(
        {
          format:
            '{bar} {percentage}% | {value}/{total} handled | sent {sent}, skipped {skipped}, failed {failed} | {rate}',
          stream: process.stdout,
          hideCursor: true,
          barsize: 30,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  const startedAt = Date.now();
  let first: BroadcastProgress | undefined;
  let lastSignature = '';
  let lastMoveAt = Date.now();
  let warned = false;
  let lastLineAt = 0;
  let status: BroadcastStatus = 'running';
  let barStarted = false;
  let progress: BroadcastProgress | undefined;
  try {
    while (!interrupted) {
      const current = await getBroadcast(db, id);
      progress = await broadcastProgress(db, id);
      status = current?.status ?? 'cancelled';
      first ??= progress;
      const figures = figuresOf(progress, first, (Date.now() - startedAt) / 1000, current?.ratePerSecond);
      if (bar) {
        if (!barStarted) bar.start(progress.total, figures.handled, figures);
        barStarted = true;
        bar.setTotal(progress.total);
        bar.update(figures.handled, figures);
      } else if (Date.now() - lastLineAt >= LINE_EVERY_MS || status !== 'running') {
        lastLineAt = Date.now();
        console.log(
          `${new Date().toLocaleTimeString('en-GB')} ${status}: ${figures.handled}/${progress.total} handled, ` +
            `sent ${figures.sent}, skipped ${figures.skipped}, failed ${figures.failed}, ${figures.rate}`,
        );
      }
      if (status !== 'running') break;

      const signature = `${progress.pending}/${progress.queued}/${progress.messaged}/${progress.skipped}`;
      if (signature !== lastSignature) {
        lastSignature = signature;
        lastMoveAt = Date.now();
        warned = false;
      } else if (!warned && Date.now() - lastMoveAt >= STILL_FOR_MS && progress.pending + progress.queued > 0) {
        warned = true;
        say(bar, await stillReason(about, current));
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, WATCH_EVERY_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    bar?.stop();
    process.off('SIGINT', onInterrupt);
  }
  if (interrupted) {
    console.log(
      `\nstopped watching; broadcast ${id} goes on in the workers. Watch again: gateway broadcast status ${id} --watch`,
    );
    return;
  }
  const end: Record<BroadcastStatus, string> = {
    done: 'is done: everyone was handled',
    cancelled: 'was cancelled',
    paused: `is paused: carry on with gateway broadcast resume ${id}`,
    draft: `is a draft: send it with gateway broadcast send ${id}`,
    running: 'is running',
  };
  console.log(`${id} ${end[status]}`);
  if (progress) console.log(await describeProgress(progress));
}

function figuresOf(progress: BroadcastProgress, first: BroadcastProgress, seconds: number, target?: number) {
  const failed = progress.delivery.failed ?? 0;
  const dispatched = (p: BroadcastProgress) => p.queued + p.messaged;
  const perSecond = seconds >= 2 ? (dispatched(progress) - dispatched(first)) / seconds : undefined;
  return {
    handled: progress.messaged + progress.skipped,
    sent: progress.messaged - failed,
    skipped: progress.skipped,
    failed,
    rate: `${perSecond === undefined ? '-' : perSecond.toFixed(1)} msg/s${target ? ` (rate ${target}/s)` : ''}`,
  };
}

/** Nothing moved for a while: a campaign not open yet, or no worker to send. */
async function stillReason(
  about: { campaign?: Campaign; botDir: string },
  broadcast: Broadcast | undefined,
): Promise<string> {
  let opensAt = about.campaign?.opensAt;
  if (!about.campaign && broadcast) {
    try {
      const found = (await loadBotOrRefuse(about.botDir)).campaigns.get(broadcast.campaignId);
      opensAt = found?.opensAt;
    } catch {
      // The warning below is still the likely answer.
    }
  }
  if (opensAt && opensAt.getTime() > Date.now()) {
    return `waiting for the campaign to open (${localTime(opensAt)}): sending starts then`;
  }
  return (
    `nothing has moved for ${STILL_FOR_MS / 1000} s: the workers send broadcasts, is one running? ` +
    'Start `gateway start` or `gateway worker` with the same DATABASE_URL and REDIS_URL.'
  );
}

/** A line under a progress bar, or in the stream of progress lines. */
function say(bar: cliProgress.SingleBar | undefined, message: string): void {
  if (bar) process.stdout.write(`\n${message}\n`);
  else console.log(message);
}
