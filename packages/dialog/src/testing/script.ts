/**
 * Scripted conversation tests for bot authors: a YAML file of what the
 * customer says and what the bot must answer, run against the bot folder by
 * `gateway chat --test` (and by this project's own test suite for bots/demo).
 *
 *   conversations:
 *     - name: order found
 *       locale: fr
 *       steps:
 *         - user: Bonjour
 *           bot: Que puis-je faire pour vous
 *           options: [Suivre ma commande]
 *         - press: Suivre ma commande
 *           bot: numéro de commande
 *         - user: ML-10234
 *           bot: [en route, suivi du colis]
 *         - wait: 31m
 *     - name: a campaign by its link, then a broadcast
 *       opted_in: true                 # the contact already said yes to campaign messages
 *       steps:
 *         - link: ventes-privees       # Telegram ?start=, the web chat's data-ref
 *           bot: ventes privées
 *         - press: Suspensions
 *           counts: [converted]        # campaign figures this step adds (entered, converted, completed...)
 *         - broadcast: ventes-privees  # a broadcast of this campaign reaches the conversation
 *
 * `bot` texts are found anywhere in the turn's answer, ignoring case; one
 * written /like this/ is a regular expression. A failure names the file and
 * the line of the step.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CAMPAIGN_EVENT_KINDS, parseDuration } from '@passerelle/core';
import type { ConnectorSet } from '@passerelle/crm-connectors';
import { z } from 'zod';
import type { BotDefinition } from '../bot-folder/load-bot.js';

import { type Problem, YamlSource } from '../bot-folder/yaml-source.js';
import { zodProblems } from '../bot-folder/zod-problems.js';
import { type BotMessage, ConversationSimulator, formatBotMessage } from './simulator.js';

const Expected = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

const Step = z
  .object({
    // `user: 12345` is a number to YAML; the customer typed text.
    user: z.union([z.string(), z.number()]).transform(String).optional(),
    press: z.union([z.string().min(1), z.number().int().min(1)]).optional(),
    wait: z
      .string()
      .regex(/^\d+\s*(s|m|min|h|d)$/, 'a duration like 90s, 31m, 2h')
      .optional(),
    /** The customer arrives through one of our links with this reference. */
    link: z.string().min(1).optional(),
    /** A broadcast of this campaign reaches the conversation. */
    broadcast: z.string().min(1).optional(),
    bot: Expected.optional(),
    /** Texts that must NOT appear. */
    not: Expected.optional(),
    options: z.array(z.string().min(1)).optional(),
    silent: z.literal(true).optional(),
    ticket: z.boolean().optional(),
    handoff: z.boolean().optional(),
    opted_out: z.boolean().optional(),
    opted_in: z.boolean().optional(),
    /** Campaign figures this step must add (entered, step, completed, converted, handoff, opted_out). */
    counts: z.array(z.enum(CAMPAIGN_EVENT_KINDS)).optional(),
  })
  .strict()
  .refine(
    (step) => [step.user, step.press, step.wait, step.link, step.broadcast].filter((x) => x !== undefined).length === 1,
    { message: 'a step has exactly one of user, press, wait, link and broadcast' },
  );

const Conversation = z
  .object({
    name: z.string().min(1),
    locale: z.string().optional(),
    channel: z.enum(['sms', 'whatsapp', 'telegram', 'teams', 'messenger', 'webchat']).optional(),
    contact: z
      .object({ name: z.string().optional(), phone: z.string().optional(), email: z.string().optional() })
      .strict()
      .optional(),
    /** The simulated clock's start, ISO 8601; default: now. */
    now: z.iso.datetime({ offset: true }).optional(),
    /** The contact already agreed to receive campaign messages. */
    opted_in: z.boolean().optional(),
    steps: z.array(Step).min(1),
  })
  .strict();

export const ScriptFile = z.object({ conversations: z.array(Conversation).min(1) }).strict();

export interface ConversationResult {
  file: string;
  name: string;
  passed: boolean;
  /** Each with the line of the step that failed. */
  failures: Problem[];
  transcript: string[];
}

export interface ScriptRunOptions {
  /** Connectors for one conversation, on its clock (the demo connector's free slots depend on "now"). */
  connectors?: (clock: () => Date) => Promise<ConnectorSet>;
}

export async function runScriptFile(
  bot: BotDefinition,
  file: string,
  options: ScriptRunOptions = {},
): Promise<ConversationResult[]> {
  const parsed = YamlSource.parse(file, await readFile(file, 'utf8'));
  if (!parsed.source) return [{ file, name: '(file)', passed: false, failures: parsed.problems, transcript: [] }];
  const source = parsed.source;
  const script = ScriptFile.safeParse(source.data ?? {});
  if (!script.success) {
    return [{ file, name: '(file)', passed: false, failures: zodProblems(source, [], script.error), transcript: [] }];
  }
  const results: ConversationResult[] = [];
  for (const [index, conversation] of script.data.conversations.entries()) {
    results.push(await runConversation(bot, source, index, conversation, options));
  }
  return results;
}

async function runConversation(
  bot: BotDefinition,
  source: YamlSource,
  index: number,
  conversation: z.infer<typeof Conversation>,
  options: ScriptRunOptions,
): Promise<ConversationResult> {
  const failures: Problem[] = [];
  const transcript: string[] = [];
  const start = conversation.now ? new Date(conversation.now) : new Date();
  let simulator: ConversationSimulator | undefined;
  const clock = () => simulator?.now ?? start;
  simulator = new ConversationSimulator(bot, {
    ...(conversation.channel ? { channel: conversation.channel } : {}),
    ...(conversation.locale ? { locale: conversation.locale } : {}),
    ...conversation.contact,
    now: start,
    ...(options.connectors ? { connectors: await options.connectors(clock) } : {}),
  });
  if (conversation.opted_in) simulator.optedIn = true;

  for (const [stepIndex, step] of conversation.steps.entries()) {
    const at = ['conversations', index, 'steps', stepIndex];
    const fail = (message: string) => failures.push(source.problem(at, message));
    const tickets = simulator.tickets.length;
    const handoffs = simulator.handoffs.length;
    const counted = simulator.campaignEvents.length;
    let messages: BotMessage[] = [];
    try {
      if (step.wait !== undefined) {
        simulator.advance(parseDuration(step.wait));
        transcript.push(`   (${step.wait} later)`);
        continue;
      }
      if (step.user !== undefined) {
        transcript.push(`you: ${step.user}`);
        messages = await simulator.say(step.user);
      } else if (step.press !== undefined) {
        transcript.push(`you press: ${step.press}`);
        messages = await simulator.press(step.press);
      } else if (step.link !== undefined) {
        transcript.push(`you open the link: ${step.link}`);
        messages = await simulator.openLink(step.link);
      } else if (step.broadcast !== undefined) {
        transcript.push(`   (a broadcast of ${step.broadcast})`);
        messages = await simulator.receiveBroadcast(step.broadcast);
      }
    } catch (error) {
      fail((error as Error).message);
      break;
    }
    for (const message of messages) transcript.push(indent(`bot: ${formatBotMessage(message)}`));
    const said = messages.map(formatBotMessage).join('\n');
    const shown = said ? `the bot said:\n${indent(said)}` : 'the bot said nothing';

    for (const expected of list(step.bot)) {
      if (!contains(said, expected)) fail(`expected the bot to say ${expected}, but ${shown}`);
    }
    for (const unexpected of list(step.not)) {
      if (contains(said, unexpected)) fail(`expected the bot not to say ${unexpected}, but ${shown}`);
    }
    if (step.silent && messages.length > 0) fail(`expected no answer, but ${shown}`);
    if (step.bot === undefined && !step.silent && messages.length === 0)
      fail('expected an answer, but the bot said nothing');
    const offered = messages.flatMap((message) => message.options.map((option) => option.title));
    for (const option of step.options ?? []) {
      if (!offered.some((title) => title.toLowerCase() === option.toLowerCase())) {
        fail(`expected the option "${option}", but the options were: ${offered.join(', ') || 'none'}`);
      }
    }
    if (step.ticket !== undefined && simulator.tickets.length > tickets !== step.ticket) {
      fail(step.ticket ? 'expected a ticket to be created' : 'expected no ticket');
    }
    if (step.handoff !== undefined && simulator.handoffs.length > handoffs !== step.handoff) {
      fail(step.handoff ? 'expected a handoff to a human' : 'expected no handoff');
    }
    if (step.opted_out !== undefined && simulator.optedOut !== step.opted_out) {
      fail(step.opted_out ? 'expected the customer to be opted out' : 'expected the customer not to be opted out');
    }
    if (step.opted_in !== undefined && simulator.optedIn !== step.opted_in) {
      fail(step.opted_in ? 'expected the customer to have said yes to our messages' : 'expected no opt-in');
    }
    const added = simulator.campaignEvents.slice(counted).map((event) => event.kind);
    for (const kind of step.counts ?? []) {
      if (!added.includes(kind))
        fail(`expected the campaign to count "${kind}", it counted: ${added.join(', ') || 'nothing'}`);
    }
    if (failures.length > 0) break;
  }
  return { file: source.file, name: conversation.name, passed: failures.length === 0, failures, transcript };
}

export async function scriptFiles(botDir: string): Promise<string[]> {
  const dir = join(botDir, 'tests');
  try {
    return (await readdir(dir))
      .filter((name) => /\.ya?ml$/.test(name))
      .sort()
      .map((name) => join(dir, name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

function list(expected: string | string[] | undefined): string[] {
  return expected === undefined ? [] : Array.isArray(expected) ? expected : [expected];
}

function contains(said: string, expected: string): boolean {
  const regex = /^\/(.+)\/([a-z]*)$/s.exec(expected);
  if (regex) return new RegExp(regex[1] ?? '', regex[2]).test(said);
  const squash = (text: string) => text.toLowerCase().replace(/\s+/g, ' ');
  return squash(said).includes(squash(expected));
}

function indent(text: string): string {
  return text.replace(/\n/g, '\n     ');
}
