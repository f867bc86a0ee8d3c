/**
 * The console's campaigns page (campaigns.html): what people did in each
 * campaign of the bot folder, and the broadcasts that brought it to them.
 *   GET  /console/api/campaigns                     [{ summary, totals }], open ones first
 *   GET  /console/api/campaigns/:id/results         the figures (by day, channel, entry, step) and the summary
 *   GET  /console/api/campaigns/:id/results.csv     the same as one CSV file for a spreadsheet
 *   GET  /console/api/broadcasts?campaign=<id>      broadcasts with their progress
 *   GET  /console/api/broadcasts/:id                one, with its progress and achieved rate
 *   POST /console/api/broadcasts/:id/pause|resume|cancel   managers only
 * A `lang=en` query gives the campaign titles in English.
 *
 * The gateway process does not run the dialog worker's BotHost, so the
 * campaigns come from the bot folder itself, loaded again when one of its
 * files changed: a marketer's edit shows at the next refresh of the page.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type Broadcast,
  type BroadcastProgress,
  BroadcastStateError,
  broadcastProgress,
  changeBroadcastStatus,
  type Db,
  getBroadcast,
  type Logger,
  listBroadcasts,
} from '@passerelle/core';
import {
  BOT_FILE,
  type BotDefinition,
  CAMPAIGNS_DIR,
  type CampaignSummary,
  FAQ_FILE,
  FLOWS_DIR,
  loadBot,
  resultsOf,
  resultsTable,
  summarizeCampaign,
} from '@passerelle/dialog';
import { stringify } from 'csv-stringify/sync';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';

export interface CampaignsApiDeps {
  db: Db;
  botDir: string;
  logger: Logger;
  requireOperator: (role?: 'manager') => RequestHandler;
  /** The clock deciding each window's state (tests pin it). */
  now?: () => Date;
}

/** The people-facing actions on a broadcast (send and finish belong to the dispatcher and the CLI). */
export const CONSOLE_BROADCAST_ACTIONS = ['pause', 'resume', 'cancel'] as const;

/** Where a window stands, shown first to last: what runs now, what comes, what is over. */
const STATE_ORDER: Record<CampaignSummary['state'], number> = { open: 0, before: 1, after: 2 };

export function campaignsApi(deps: CampaignsApiDeps): express.Router {
  const { db } = deps;
  const router = express.Router();
  const operator = deps.requireOperator();
  const manager = deps.requireOperator('manager');
  const readBot = botFolderReader(deps.botDir, deps.logger);
  const now = () => deps.now?.() ?? new Date();
  const handle =
    (work: (req: Request, res: Response) => Promise<unknown>) => (req: Request, res: Response, next: NextFunction) =>
      work(req, res).catch(next);
  const fail = (res: Response, status: number, error: string) => res.status(status).json({ error });
  const localeOf = (req: Request) => (req.query.lang === 'en' ? 'en' : 'fr');

  /** The campaign named in the path, or a 404 that says which ones there are. */
  async function campaignOf(req: Request, res: Response) {
    const bot = await readBot();
    const id = String(req.params.id);
    const campaign = bot.campaigns.get(id);
    if (!campaign) {
      const known = [...bot.campaigns.keys()].join(', ') || 'none';
      fail(res, 404, `no campaign "${id}" in the bot folder (campaigns: ${known})`);
      return undefined;
    }
    return { bot, campaign };
  }

  async function describeBroadcast(broadcast: Broadcast) {
    const progress = await broadcastProgress(db, broadcast.id);
    // Messages per second, to set beside the rate aimed at (skips take no time and would flatter it).
    return { broadcast, progress, achievedRate: achievedRate(progress) };
  }

  router.get(
    '/console/api/campaigns',
    operator,
    handle(async (req, res) => {
      const bot = await readBot();
      const at = now();
      const campaigns = await Promise.all(
        [...bot.campaigns.values()].map(async (campaign) => ({
          summary: summarizeCampaign(campaign, bot, at, localeOf(req)),
          totals: (await resultsOf(db, bot, campaign)).totals,
        })),
      );
      campaigns.sort(
        (a, b) =>
          STATE_ORDER[a.summary.state] - STATE_ORDER[b.summary.state] ||
          b.summary.opensAt.localeCompare(a.summary.opensAt),
      );
      res.set('Cache-Control', 'no-store').json({ campaigns });
    }),
  );

  router.get(
    '/console/api/campaigns/:id/results',
    operator,
    handle(async (req, res) => {
      const found = await campaignOf(req, res);
      if (!found) return;
      const results = await resultsOf(db, found.bot, found.campaign);
      const summary = summarizeCampaign(found.campaign, found.bot, now(), localeOf(req));
      res.set('Cache-Control', 'no-store').json({ ...results, summary });
    }),
  );

  router.get(
    '/console/api/campaigns/:id/results.csv',
    operator,
    handle(async (req, res) => {
      const found = await campaignOf(req, res);
      if (!found) return;
      const results = await resultsOf(db, found.bot, found.campaign);
      res.set({
        'Cache-Control': 'no-store',
        'Content-Type': 'text/csv; charset=utf-8',
        // Campaign ids are lower-case letters, digits, - and _: safe in a file name as they are.
        'Content-Disposition': `attachment; filename="${found.campaign.id}-results.csv"`,
      });
      res.send(stringify(resultsTable(results)));
    }),
  );

  router.get(
    '/console/api/broadcasts',
    operator,
    handle(async (req, res) => {
      const campaignId = typeof req.query.campaign === 'string' && req.query.campaign ? req.query.campaign : undefined;
      const broadcasts = await listBroadcasts(db, { campaignId });
      res.set('Cache-Control', 'no-store').json({ broadcasts: await Promise.all(broadcasts.map(describeBroadcast)) });
    }),
  );

  router.get(
    '/console/api/broadcasts/:id',
    operator,
    handle(async (req, res) => {
      const broadcast = await getBroadcast(db, String(req.params.id));
      if (!broadcast) return fail(res, 404, 'no such broadcast');
      res.set('Cache-Control', 'no-store').json(await describeBroadcast(broadcast));
    }),
  );

  for (const action of CONSOLE_BROADCAST_ACTIONS) {
    router.post(
      `/console/api/broadcasts/:id/${action}`,
      manager,
      handle(async (req, res) => {
        const id = String(req.params.id);
        let broadcast: Broadcast;
        try {
          // Checked and changed in one statement: two managers clicking at once cannot both win.
          broadcast = await changeBroadcastStatus(db, id, action);
        } catch (error) {
          if (!(error instanceof BroadcastStateError)) throw error;
          return fail(res, error.status === undefined ? 404 : 409, error.message);
        }
        deps.logger.info(
          { broadcast: id, campaign: broadcast.campaignId, action, by: (res.locals.operator as { id: string }).id },
          `broadcast ${broadcast.status} from the console`,
        );
        res.json(await describeBroadcast(broadcast));
      }),
    );
  }

  return router;
}

/**
 * Messages per second between the first and the last one handed to the sender: (n - 1) gaps over
 * that span, so a short broadcast is not flattered. Fewer than two messages: nothing to measure.
 */
export function achievedRate(progress: Pick<BroadcastProgress, 'messaged' | 'messagedSpan'>): number | null {
  const span = progress.messagedSpan;
  if (!span || progress.messaged < 2) return null;
  const seconds = (span.last.getTime() - span.first.getTime()) / 1000;
  if (seconds <= 0) return null;
  return Math.round(((progress.messaged - 1) / seconds) * 100) / 100;
}

/**
 * The bot folder, loaded again only when one of the files loadBot reads
 * changed (their names, sizes and modification times: a few stats per
 * request instead of parsing every YAML file). A version with a mistake is
 * logged once and the last good one stays, as the worker's BotHost does.
 */
export function botFolderReader(botDir: string, logger: Logger): () => Promise<BotDefinition> {
  let current: { stamp: string; bot: BotDefinition } | undefined;
  let loading: { stamp: string; promise: Promise<BotDefinition> } | undefined;
  let refused: string | undefined;
  return async () => {
    const stamp = await folderStamp(botDir);
    if (current && (current.stamp === stamp || refused === stamp)) return current.bot;
    if (loading?.stamp === stamp) return loading.promise;
    const promise = loadBot(botDir).then(
      (bot) => {
        current = { stamp, bot };
        refused = undefined;
        return bot;
      },
      (error: unknown) => {
        if (!current) throw error;
        refused = stamp;
        logger.warn(
          { err: error, botDir },
          'campaigns page: the bot folder has a mistake, the last good version stays',
        );
        return current.bot;
      },
    );
    loading = { stamp, promise };
    try {
      return await promise;
    } finally {
      if (loading?.promise === promise) loading = undefined;
    }
  };
}

async function folderStamp(botDir: string): Promise<string> {
  const listed = async (dir: string) => {
    try {
      return (await readdir(join(botDir, dir))).sort().map((name) => join(dir, name));
    } catch {
      return [];
    }
  };
  const files = [BOT_FILE, FAQ_FILE, 'teams.yaml', ...(await listed(FLOWS_DIR)), ...(await listed(CAMPAIGNS_DIR))];
  const stamps = await Promise.all(
    files.map(async (file) => {
      try {
        const info = await stat(join(botDir, file));
        return `${file}:${info.size}:${info.mtimeMs}`;
      } catch {
        return `${file}:-`;
      }
    }),
  );
  return stamps.join('\n');
}
