/**
 * Reads campaigns/*.yaml and checks each campaign against the rest of the
 * bot folder: its flow and nodes exist, its window ends after it starts, its
 * texts speak every language of the bot, and its entry words are not already
 * a command or another campaign's at the same time. Problems carry file and
 * line, like every other bot folder mistake.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BotSettings, Flow, Text } from '../bot-folder/schemas.js';
import type { PathSegment, Problem, YamlSource } from '../bot-folder/yaml-source.js';
import { zodProblems } from '../bot-folder/zod-problems.js';
import { CommandMatcher } from '../engine/commands.js';
import { normalise } from '../text.js';
import { type Campaign, CampaignFile, localInstant } from './campaign-file.js';

export const CAMPAIGNS_DIR = 'campaigns';

export async function listCampaignFiles(dir: string): Promise<string[]> {
  try {
    const names = await readdir(join(dir, CAMPAIGNS_DIR));
    return names
      .filter((name) => /\.ya?ml$/.test(name))
      .sort()
      .map((name) => join(CAMPAIGNS_DIR, name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Each source parsed on its own; the checks that need the flows come after, in checkCampaigns. */
export function parseCampaigns(
  sources: readonly YamlSource[],
  settings: BotSettings | undefined,
  problems: Problem[],
): Map<Campaign, YamlSource> {
  const parsed = new Map<Campaign, YamlSource>();
  for (const source of sources) {
    const result = CampaignFile.safeParse(source.data ?? {});
    if (!result.success) {
      problems.push(...zodProblems(source, [], result.error));
      continue;
    }
    const file = result.data;
    const timeZone = file.window.time_zone ?? settings?.time_zone ?? 'Europe/Paris';
    const campaign: Campaign = {
      ...file,
      file: source.file,
      timeZone,
      opensAt: localInstant(file.window.start, timeZone),
      closesAt: localInstant(file.window.end, timeZone),
    };
    parsed.set(campaign, source);
  }
  return parsed;
}

export function checkCampaigns(
  parsed: Map<Campaign, YamlSource>,
  settings: BotSettings,
  flows: ReadonlyMap<string, Flow>,
): { campaigns: Map<string, Campaign>; problems: Problem[] } {
  const problems: Problem[] = [];
  const campaigns = new Map<string, Campaign>();
  const flowOwner = new Map<string, Campaign>();
  const commands = new CommandMatcher(settings.commands);

  for (const [campaign, source] of parsed) {
    const earlier = campaigns.get(campaign.id);
    if (earlier) {
      problems.push(source.problem(['id'], `campaign id "${campaign.id}" is already used by ${earlier.file}`));
      continue;
    }
    campaigns.set(campaign.id, campaign);
    if (campaign.closesAt.getTime() <= campaign.opensAt.getTime()) {
      problems.push(source.problem(['window', 'end'], 'the window ends before it starts'));
    }
    const flow = flows.get(campaign.flow);
    if (!flow) {
      const known = [...flows.keys()].join(', ') || 'none';
      problems.push(source.problem(['flow'], `no flow "${campaign.flow}" in flows/ (flows: ${known})`));
    } else {
      const owner = flowOwner.get(flow.id);
      if (owner) problems.push(source.problem(['flow'], `flow "${flow.id}" already belongs to campaign ${owner.id}`));
      flowOwner.set(flow.id, campaign);
      for (const [path, node] of [
        [['goal'], campaign.goal],
        [['broadcast', 'start'], campaign.broadcast.start],
      ] as const) {
        if (node !== undefined && !flow.nodes.has(node)) {
          problems.push(source.problem(path, `flow "${flow.id}" has no node "${node}"`));
        }
      }
    }
    const texts: Array<[PathSegment[], Text | undefined]> = [
      [['title'], campaign.title],
      [['before_start'], campaign.before_start],
      [['after_end'], campaign.after_end],
      [['broadcast', 'stop_notice'], campaign.broadcast.stop_notice],
    ];
    for (const [path, text] of texts) {
      if (!text || typeof text === 'string') continue;
      for (const locale of settings.locales) {
        if (!(locale in text)) problems.push(source.problem(path, `missing the "${locale}" text`));
      }
    }
    campaign.entry.keywords.forEach((keyword, index) => {
      if (commands.match(keyword)) {
        problems.push(
          source.problem(['entry', 'keywords', index], `"${keyword}" is a command word: choose another keyword`),
        );
      } else if (!normalise(keyword)) {
        problems.push(source.problem(['entry', 'keywords', index], `"${keyword}" has no letter or digit`));
      }
    });
  }
  problems.push(...overlappingEntries(parsed));
  return { campaigns, problems };
}

/** The same keyword, link or text for two campaigns live at the same time on a common channel: which one? */
function overlappingEntries(parsed: Map<Campaign, YamlSource>): Problem[] {
  const problems: Problem[] = [];
  const all = [...parsed.entries()];
  for (const [index, [campaign, source]] of all.entries()) {
    for (const [other] of all.slice(0, index)) {
      const overlap =
        campaign.opensAt.getTime() < other.closesAt.getTime() && other.opensAt.getTime() < campaign.closesAt.getTime();
      const sharedChannel =
        !campaign.channels || !other.channels || campaign.channels.some((c) => other.channels?.includes(c));
      if (!overlap || !sharedChannel) continue;
      for (const kind of ['keywords', 'links', 'prefilled'] as const) {
        const theirs = new Set(other.entry[kind].map((word) => (kind === 'links' ? word : normalise(word))));
        campaign.entry[kind].forEach((word, position) => {
          if (theirs.has(kind === 'links' ? word : normalise(word))) {
            problems.push(
              source.problem(
                ['entry', kind, position],
                `"${word}" also enters campaign ${other.id}, whose window overlaps this one`,
              ),
            );
          }
        });
      }
    }
  }
  return problems;
}
