/**
 * Reads a bot folder (BOT_DIR):
 *   bot.yaml        name, languages, menu, commands, messages, connectors
 *   flows/*.yaml    one decision-tree flow per file
 *   faq.yaml        questions and answers (optional)
 *   teams.yaml      who answers after a handoff, and when (optional)
 *   campaigns/*.yaml  time-boxed campaign bots (optional)
 * and either returns the whole bot, checked, or throws a BotFolderError that
 * lists every problem with its file and line.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Campaign } from '../campaigns/campaign-file.js';
import { checkCampaigns, listCampaignFiles, parseCampaigns } from '../campaigns/load-campaigns.js';
import { FaqFile } from '../faq/faq-file.js';
import { FaqIndex } from '../faq/faq-index.js';
import { loadTeams, type TeamsFile } from '../hybrid/teams.js';
import { checkBot } from './check-flows.js';
import {
  BotSettings,
  type Flow,
  FlowHeader,
  type FlowNode,
  NODE_KINDS,
  NODE_SCHEMAS,
  type NodeKind,
} from './schemas.js';
import { BotFolderError, type PathSegment, type Problem, YamlSource } from './yaml-source.js';
import { zodProblems } from './zod-problems.js';

export const BOT_FILE = 'bot.yaml';
export const FAQ_FILE = 'faq.yaml';
export const FLOWS_DIR = 'flows';

export interface BotDefinition {
  dir: string;
  settings: BotSettings;
  flows: Map<string, Flow>;
  faq: FaqIndex | undefined;
  /** Who answers when the bot hands over, and when (teams.yaml); undefined: always open, one team. */
  teams: TeamsFile | undefined;
  /** Campaign bots by id (campaigns/*.yaml), live only within their windows. */
  campaigns: Map<string, Campaign>;
  /** A digest of every file: sessions remember it to notice that the bot changed under them. */
  version: string;
  /** Not wrong, but probably not meant (a node nothing leads to). */
  warnings: Problem[];
  /** A problem found later (in a connector's settings) pinned to its line of bot.yaml. */
  problemAt(path: readonly PathSegment[], message: string): Problem;
}

/**
 * The order in which a node's own key is looked for. `say` comes last because
 * a handoff node may also carry a `say`.
 */
const KIND_PRIORITY: readonly NodeKind[] = [
  'ask',
  'call',
  'branch',
  'set',
  'handoff',
  'ticket',
  'consent',
  'end',
  'goto',
  'say',
];

export async function loadBot(dir: string): Promise<BotDefinition> {
  const problems: Problem[] = [];
  const digest = createHash('sha256');
  const read = async (path: string): Promise<YamlSource | undefined> => {
    const text = await readFile(join(dir, path), 'utf8');
    digest.update(path).update('\0').update(text).update('\0');
    const parsed = YamlSource.parse(join(dir, path), text);
    problems.push(...parsed.problems);
    return parsed.source;
  };

  let botSource: YamlSource | undefined;
  try {
    botSource = await read(BOT_FILE);
  } catch (error) {
    throw new BotFolderError([
      {
        file: join(dir, BOT_FILE),
        line: 1,
        column: 1,
        message: `cannot read it (${(error as Error).message}); is BOT_DIR right?`,
      },
    ]);
  }
  let settings: BotSettings | undefined;
  if (botSource) {
    const parsed = BotSettings.safeParse(botSource.data ?? {});
    if (parsed.success) settings = parsed.data;
    else problems.push(...zodProblems(botSource, [], parsed.error));
  }

  const flowSources: YamlSource[] = [];
  for (const file of await listYaml(join(dir, FLOWS_DIR))) {
    const source = await read(join(FLOWS_DIR, file));
    if (source) flowSources.push(source);
  }
  const flows = new Map<string, Flow>();
  const flowFiles = new Map<Flow, YamlSource>();
  for (const source of flowSources) {
    const flow = parseFlow(source, problems);
    if (!flow) continue;
    const earlier = flows.get(flow.id);
    if (earlier) {
      problems.push(source.problem(['id'], `flow id "${flow.id}" is already used by ${earlier.file}`));
      continue;
    }
    flows.set(flow.id, flow);
    flowFiles.set(flow, source);
  }

  let faq: FaqIndex | undefined;
  let faqSource: YamlSource | undefined;
  if (await exists(join(dir, FAQ_FILE))) {
    faqSource = await read(FAQ_FILE);
    if (faqSource) {
      const parsed = FaqFile.safeParse(faqSource.data ?? {});
      if (parsed.success) faq = new FaqIndex(parsed.data);
      else problems.push(...zodProblems(faqSource, [], parsed.error));
    }
  }

  const { teams, problems: teamProblems } = await loadTeams(dir);
  problems.push(...teamProblems);

  const campaignSources: YamlSource[] = [];
  for (const file of await listCampaignFiles(dir)) {
    const source = await read(file);
    if (source) campaignSources.push(source);
  }
  const parsedCampaigns = parseCampaigns(campaignSources, settings, problems);
  let campaigns = new Map<string, Campaign>();

  const warnings: Problem[] = [];
  if (settings && botSource && problems.length === 0) {
    const otherStarts = new Map<string, string[]>();
    for (const campaign of parsedCampaigns.keys()) {
      if (campaign.broadcast.start) otherStarts.set(campaign.flow, [campaign.broadcast.start]);
    }
    const checked = checkBot({ settings, botSource, flows, flowFiles, faq, otherStarts });
    problems.push(...checked.problems);
    warnings.push(...checked.warnings);
    const campaignCheck = checkCampaigns(parsedCampaigns, settings, flows);
    problems.push(...campaignCheck.problems);
    campaigns = campaignCheck.campaigns;
  }
  if (problems.length > 0 || !settings) throw new BotFolderError(problems);
  const problemAt = (path: readonly PathSegment[], message: string): Problem =>
    botSource?.problem(path, message) ?? { file: join(dir, BOT_FILE), line: 1, column: 1, message };
  // teams.yaml is part of the version: a change of hours is a change of the bot.
  if (teams) digest.update(JSON.stringify(teams));
  return {
    dir,
    settings,
    flows,
    faq,
    teams,
    campaigns,
    version: digest.digest('hex').slice(0, 12),
    warnings,
    problemAt,
  };
}

function parseFlow(source: YamlSource, problems: Problem[]): Flow | undefined {
  const header = FlowHeader.safeParse(source.data ?? {});
  if (!header.success) {
    problems.push(...zodProblems(source, [], header.error));
    return undefined;
  }
  const nodes = new Map<string, FlowNode>();
  let ok = true;
  for (const [id, raw] of Object.entries(header.data.nodes)) {
    const at = ['nodes', id];
    if (!/^[a-z0-9][a-z0-9_-]*$/.test(id)) {
      problems.push(source.problem(at, `node name "${id}": use lower-case letters, digits, - and _`, id));
      ok = false;
      continue;
    }
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      problems.push(source.problem(at, `node "${id}" must be a map with one of: ${NODE_KINDS.join(', ')}`));
      ok = false;
      continue;
    }
    const kind = KIND_PRIORITY.find((candidate) => candidate in raw);
    if (!kind) {
      const keys = Object.keys(raw).join(', ') || 'nothing';
      problems.push(source.problem(at, `node "${id}" has ${keys}, but needs one of: ${NODE_KINDS.join(', ')}`));
      ok = false;
      continue;
    }
    const parsed = NODE_SCHEMAS[kind].safeParse(raw);
    if (!parsed.success) {
      problems.push(
        ...zodProblems(source, at, parsed.error).map((p) => ({ ...p, message: `node "${id}": ${p.message}` })),
      );
      ok = false;
      continue;
    }
    nodes.set(id, { kind, ...parsed.data } as FlowNode);
  }
  if (!ok) return undefined;
  const { id, title, triggers, start } = header.data;
  return { id, file: source.file, title, triggers, start, nodes };
}

async function listYaml(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir);
    return entries.filter((name) => /\.ya?ml$/.test(name)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await readFile(path);
    return true;
  } catch {
    return false;
  }
}
