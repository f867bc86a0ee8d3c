/**
 * The marketer's commands: `gateway campaigns ...` (the bot folder's
 * campaigns and their results), `gateway broadcast ...` (a campaign's first
 * message to a list of people: create from a CSV, preview, send, follow,
 * pause, report) and `gateway consent export` (the consent history, as proof).
 * Each group is a module of campaigns/; what they run with (the database,
 * the bot folder, exit codes) is campaigns/command-runner.ts.
 *
 * Sending is the workers' job (the dispatcher in `gateway start` or
 * `gateway worker`): these commands only change a broadcast's state and
 * read its progress, so closing the terminal never stops a broadcast.
 *
 * Exit codes: 0 done; 2 refused (a request that cannot be: unknown campaign,
 * wrong state, unreadable CSV), with one clear message; 1 anything else.
 */
import type { Command } from 'commander';
import { registerBroadcastCommand } from './campaigns/broadcast-commands.js';
import { registerCampaignsCommand } from './campaigns/campaign-commands.js';
import { type CampaignCommandHelpers, commandContext } from './campaigns/command-runner.js';
import { registerConsentCommand } from './campaigns/consent-commands.js';

export type { CampaignCommandHelpers } from './campaigns/command-runner.js';

export function registerCampaignCommands(program: Command, helpers: CampaignCommandHelpers): void {
  const context = commandContext(helpers);
  registerCampaignsCommand(program, context);
  registerBroadcastCommand(program, context);
  registerConsentCommand(program, context);
}
