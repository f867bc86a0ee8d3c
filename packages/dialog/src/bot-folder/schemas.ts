/**
 * The shape of a bot folder's files, as a bot author writes them. The schemas
 * check each file on its own; cross-references (a `next` naming a node that
 * does not exist, a variable nobody sets) are checked afterwards by
 * check-flows.ts, which sees every file at once.
 */
import { DEFAULT_UNCERTAIN_SEND, Duration, UncertainSendSchema } from '@passerelle/core';
import { z } from 'zod';
import { ValidatorSpec } from '../flows/validators.js';

/** Text for the customer: one string for every language, or one per locale ({ en: ..., fr: ... }). */
export const Text = z.union([
  z.string().min(1, 'text is empty'),
  z.record(
    z.string().regex(/^[a-z]{2}$/, 'a locale is two letters, like fr or en'),
    z.string().min(1, 'text is empty'),
  ),
]);
export type Text = z.infer<typeof Text>;

const Id = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'use lower-case letters, digits, - and _');
const VariableName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'a variable name is letters, digits and _');
/** A node of the same flow, `flow:<id>` (another flow's start), `menu`, `human` or `end`. */
const Target = z.string().min(1);
// ---- nodes: each has exactly one of these keys, which says what it does ----

const Choice = z
  .object({
    label: Text,
    /** What is saved; defaults to the choice's position label in the first locale. */
    value: z.string().min(1).optional(),
    goto: Target.optional(),
  })
  .strict();

const ChoicesFrom = z
  .object({
    /** A list variable, like slots.items from a bookings.slots call. */
    list: z.string().min(1),
    /** How one item is shown; {{item.x}} is the item. */
    label: Text,
    max: z.number().int().min(1).max(10).default(5),
  })
  .strict();

export const NODE_KINDS = [
  'say',
  'ask',
  'call',
  'branch',
  'set',
  'handoff',
  'ticket',
  'consent',
  'goto',
  'end',
] as const;
export type NodeKind = (typeof NODE_KINDS)[number];

export const SayNode = z.object({ say: Text, next: Target.optional() }).strict();

export const AskNode = z
  .object({
    ask: Text,
    save: VariableName,
    validate: ValidatorSpec.optional(),
    choices: z.array(Choice).min(1).max(10).optional(),
    choices_from: ChoicesFrom.optional(),
    /** Said instead of the validator's own explanation when an answer is refused. */
    invalid: Text.optional(),
    /** Wrong answers tolerated before on_invalid (the question is asked again each time). */
    retries: z.number().int().min(0).max(5).default(2),
    on_invalid: Target.optional(),
    next: Target.optional(),
  })
  .strict()
  .refine((node) => [node.validate, node.choices, node.choices_from].filter(Boolean).length <= 1, {
    message: 'an ask has at most one of validate, choices and choices_from',
  });

export const CallNode = z
  .object({
    /** connector operation, like orders.find or bookings.slots */
    call: z.string().regex(/^[a-z]+\.[a-z_]+$/, 'an operation is written kind.name, like orders.find'),
    with: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
    save: VariableName.optional(),
    next: Target.optional(),
    on_not_found: Target.optional(),
    on_error: Target.optional(),
  })
  .strict();

const BranchCase = z.union([
  z.object({ if: z.string().min(1), goto: Target }).strict(),
  z.object({ else: Target }).strict(),
]);
export const BranchNode = z.object({ branch: z.array(BranchCase).min(1) }).strict();

export const SetNode = z
  .object({ set: z.record(VariableName, z.union([z.string(), z.number(), z.boolean()])), next: Target.optional() })
  .strict();

export const HandoffNode = z
  .object({
    /** Why, for the operator: "order problem", "asked for a human". */
    handoff: z.string().min(1),
    say: Text.optional(),
  })
  .strict();

export const TicketNode = z
  .object({
    ticket: z
      .object({
        subject: z.string().min(1),
        body: z.string().min(1),
        fields: z.record(z.string(), z.string()).default({}),
      })
      .strict(),
    save: VariableName.optional(),
    next: Target.optional(),
  })
  .strict();

/**
 * Records the person's answer to "may we send you our offers?": opt_in (a yes, kept with the
 * campaign as proof) or opt_out. STOP works anywhere without a node; this is for the yes.
 */
export const ConsentNode = z.object({ consent: z.enum(['opt_in', 'opt_out']), next: Target.optional() }).strict();

export const GotoNode = z.object({ goto: Target }).strict();
export const EndNode = z.object({ end: z.union([z.literal(true), Text]) }).strict();

export const NODE_SCHEMAS = {
  say: SayNode,
  ask: AskNode,
  call: CallNode,
  branch: BranchNode,
  set: SetNode,
  handoff: HandoffNode,
  ticket: TicketNode,
  consent: ConsentNode,
  goto: GotoNode,
  end: EndNode,
} as const;

export type SayNode = z.infer<typeof SayNode>;
export type AskNode = z.infer<typeof AskNode>;
export type CallNode = z.infer<typeof CallNode>;
export type BranchNode = z.infer<typeof BranchNode>;
export type SetNode = z.infer<typeof SetNode>;
export type HandoffNode = z.infer<typeof HandoffNode>;
export type TicketNode = z.infer<typeof TicketNode>;
export type ConsentNode = z.infer<typeof ConsentNode>;
export type GotoNode = z.infer<typeof GotoNode>;
export type EndNode = z.infer<typeof EndNode>;

export type FlowNode =
  | ({ kind: 'say' } & SayNode)
  | ({ kind: 'ask' } & AskNode)
  | ({ kind: 'call' } & CallNode)
  | ({ kind: 'branch' } & BranchNode)
  | ({ kind: 'set' } & SetNode)
  | ({ kind: 'handoff' } & HandoffNode)
  | ({ kind: 'ticket' } & TicketNode)
  | ({ kind: 'consent' } & ConsentNode)
  | ({ kind: 'goto' } & GotoNode)
  | ({ kind: 'end' } & EndNode);

// ---- a flow file ----

export const FlowHeader = z
  .object({
    id: Id,
    title: Text,
    /** Phrases that start this flow when a customer writes them (accents and case ignored). */
    triggers: z.record(z.string(), z.array(z.string().min(1))).default({}),
    start: z.string().min(1),
    nodes: z.record(z.string(), z.unknown()),
  })
  .strict();
export type FlowHeader = z.infer<typeof FlowHeader>;

export interface Flow {
  id: string;
  file: string;
  title: Text;
  triggers: Record<string, string[]>;
  start: string;
  nodes: Map<string, FlowNode>;
}

// ---- bot.yaml ----

const ConnectorChoice = z.union([
  z.string().min(1),
  z.looseObject({ type: z.string().min(1).optional(), package: z.string().min(1).optional() }),
]);

const MenuItem = z
  .object({
    label: Text,
    /** flow:<id>, faq:<id> or human */
    target: Target,
  })
  .strict();

const Words = z.record(z.string(), z.array(z.string().min(1)));

const Uncertain = z.enum(UncertainSendSchema.options, {
  error: 'at_most_once (kept as a dead letter for a person) or at_least_once (sent again)',
});

/**
 * What a send whose outcome is unknown (its process died mid-call, or no answer came) does once
 * the provider, where it can be asked, did not settle it: per purpose of the message.
 */
const Delivery = z
  .object({
    uncertain: z
      .object({
        reply: Uncertain.default(DEFAULT_UNCERTAIN_SEND.reply),
        operator: Uncertain.default(DEFAULT_UNCERTAIN_SEND.operator),
        campaign: Uncertain.default(DEFAULT_UNCERTAIN_SEND.campaign),
        notification: Uncertain.default(DEFAULT_UNCERTAIN_SEND.notification),
      })
      .strict()
      .default({ ...DEFAULT_UNCERTAIN_SEND }),
  })
  .strict();

export const BotSettings = z
  .object({
    name: z.string().min(1),
    /** The first one is the default language. */
    locales: z
      .array(z.enum(['fr', 'en']))
      .min(1)
      .default(['fr', 'en']),
    time_zone: z.string().default('Europe/Paris'),
    session: z
      .object({ idle_timeout: Duration.default(30 * 60_000) })
      .strict()
      .default({ idle_timeout: 30 * 60_000 }),
    /** Words that show the menu when they are the whole message or start it ("Bonjour !"). */
    greetings: Words.default({}),
    menu: z.object({ text: Text, items: z.array(MenuItem).min(1).max(10) }).strict(),
    commands: z
      .object({ menu: Words.optional(), help: Words.optional(), human: Words.optional(), stop: Words.optional() })
      .strict()
      .default({}),
    /** Replaces a built-in sentence (see engine/messages.ts for the names). */
    messages: z.record(z.string(), Text).default({}),
    fallback: z
      .object({
        /** Messages in a row the bot did not understand before it offers a person or a message; 0: never. */
        offer_help_after: z.number().int().min(0).max(10).default(2),
      })
      .strict()
      .default({ offer_help_after: 2 }),
    /** The flow offered as "leave us a message" when the bot cannot help; it usually ends with a ticket. */
    leave_message_flow: Id.optional(),
    /**
     * The longest a flow waits for a connector, retries included, before telling the customer it
     * is unavailable: a backstop above each connector's own `timeout` and `retries`.
     */
    connector_timeout: Duration.default(8_000),
    orders: z
      .object({ require_ownership: z.boolean().default(true) })
      .strict()
      .default({ require_ownership: true }),
    /**
     * Which connector serves each kind: a type (`demo`, the built-in one over this project's
     * database) or the type with its settings; checked by @passerelle/crm-connectors when opened.
     */
    connectors: z
      .object({
        crm: ConnectorChoice.optional(),
        orders: ConnectorChoice.optional(),
        bookings: ConnectorChoice.optional(),
      })
      .strict()
      .default({}),
    /** Per purpose (reply, operator, campaign, notification): at_most_once or at_least_once. */
    delivery: Delivery.default({ uncertain: { ...DEFAULT_UNCERTAIN_SEND } }),
  })
  .strict();
export type BotSettings = z.infer<typeof BotSettings>;
