/**
 * What each operation of the rest connector is: the kind it belongs to, the
 * arguments its templates may use, and the fields of ours its `map` fills.
 * The settings are checked against this table at start, so a typo in an
 * argument or a field is an error naming its place in bot.yaml, not a call
 * that quietly sends an empty value.
 */
import type { ConnectorKind } from '../definition.js';

/** How an answer's value is read into one of our fields. */
export type FieldType = 'string' | 'number' | 'instant' | 'list';

export interface OperationSpec {
  kind: ConnectorKind;
  /** Arguments its templates may use; `fields.*` stands for any name under fields. */
  args: readonly string[];
  /** Each group: its templates must use one of these, or the call could not be about the right thing. */
  mustUse: ReadonlyArray<readonly string[]>;
  /** Our fields its map may fill, and how each is read. */
  fields: Readonly<Record<string, FieldType>>;
  required: readonly string[];
  /** A read: answered "nothing" (undefined, []) rather than an error when there is nothing. */
  read: boolean;
  /** The `not_found` statuses when none are written; undefined: the key has no meaning here. */
  notFound?: readonly number[];
  /** The `conflict` statuses (slot taken) when none are written; undefined: no meaning here. */
  conflict?: readonly number[];
  /** Not needed for its kind to work (updateContact). */
  optional?: boolean;
}

const CONTACT_REF = [
  'id',
  'name',
  'email',
  'phone',
  'locale',
  'identity.channel',
  'identity.account',
  'identity.userId',
];
const ref = (prefix: string) => CONTACT_REF.map((name) => `${prefix}.${name}`);

const ORDER_FIELDS: Record<string, FieldType> = {
  number: 'string',
  status: 'string',
  placedAt: 'instant',
  'total.amount': 'number',
  'total.currency': 'string',
  trackingUrl: 'string',
  carrier: 'string',
  items: 'list',
  'items.name': 'string',
  'items.quantity': 'number',
  // Not shown to anyone: compared with the person asking (ownership check).
  owner_email: 'string',
  owner_phone: 'string',
};
const ORDER_REQUIRED = ['number', 'status', 'placedAt'];

const CONTACT_FIELDS: Record<string, FieldType> = {
  id: 'string',
  firstName: 'string',
  lastName: 'string',
  email: 'string',
  phone: 'string',
  'fields.*': 'string',
};
const CONTACT_ARGS = ['id', 'firstName', 'lastName', 'email', 'phone', 'fields.*'];

export const OPERATIONS = {
  findOrder: {
    kind: 'orders',
    args: ['number', ...ref('owner')],
    mustUse: [['number']],
    fields: ORDER_FIELDS,
    required: ORDER_REQUIRED,
    read: true,
    notFound: [404],
  },
  recentOrders: {
    kind: 'orders',
    args: [...ref('owner'), 'limit'],
    mustUse: [ref('owner')],
    fields: ORDER_FIELDS,
    required: ORDER_REQUIRED,
    read: true,
    notFound: [404],
  },
  freeSlots: {
    kind: 'bookings',
    args: ['service', 'from', 'to'],
    mustUse: [],
    fields: { id: 'string', start: 'instant', end: 'instant', service: 'string' },
    required: ['id', 'start', 'end'],
    read: true,
    notFound: [],
  },
  book: {
    kind: 'bookings',
    args: ['service', 'slotId', ...ref('contact')],
    mustUse: [['slotId']],
    fields: { bookingId: 'string' },
    required: ['bookingId'],
    read: false,
    conflict: [409],
  },
  cancel: {
    kind: 'bookings',
    args: ['bookingId'],
    mustUse: [['bookingId']],
    fields: {},
    required: [],
    read: false,
    // Written [404] when the API answers so for a booking already gone: then there is nothing to cancel.
    notFound: [],
  },
  reschedule: {
    kind: 'bookings',
    args: ['bookingId', 'slotId'],
    mustUse: [['bookingId'], ['slotId']],
    fields: {},
    required: [],
    read: false,
    conflict: [409],
  },
  findContact: {
    kind: 'crm',
    args: ['email', 'phone', 'identity.channel', 'identity.account', 'identity.userId'],
    mustUse: [['email', 'phone', 'identity.userId']],
    fields: CONTACT_FIELDS,
    required: ['id'],
    read: true,
    notFound: [404],
  },
  upsertContact: {
    kind: 'crm',
    args: CONTACT_ARGS,
    mustUse: [],
    fields: CONTACT_FIELDS,
    required: ['id'],
    read: false,
  },
  updateContact: {
    kind: 'crm',
    args: CONTACT_ARGS,
    mustUse: [['id']],
    fields: CONTACT_FIELDS,
    required: ['id'],
    read: false,
    optional: true,
  },
  recordLead: {
    kind: 'crm',
    args: [...ref('contact'), 'contactId', 'subject', 'details', 'kind'],
    mustUse: [],
    fields: { id: 'string' },
    required: ['id'],
    read: false,
  },
  logConversation: {
    kind: 'crm',
    args: [...ref('contact'), 'contactId', 'summary', 'transcriptUrl'],
    mustUse: [],
    fields: {},
    required: [],
    read: false,
  },
} as const satisfies Record<string, OperationSpec>;

export type OperationName = keyof typeof OPERATIONS;
export const OPERATION_NAMES = Object.keys(OPERATIONS) as OperationName[];

export function specOf(name: OperationName): OperationSpec {
  return OPERATIONS[name];
}

export function isOperationName(name: string): name is OperationName {
  return Object.hasOwn(OPERATIONS, name);
}

/** The operations a kind cannot work without. */
export function operationsOf(kind: ConnectorKind): OperationName[] {
  return OPERATION_NAMES.filter((name) => {
    const spec = specOf(name);
    return spec.kind === kind && !spec.optional;
  });
}

/** 'fields.tier' is allowed where 'fields.*' is listed. */
export function allowedName(name: string, allowed: Iterable<string>): boolean {
  for (const entry of allowed) {
    if (entry === name) return true;
    if (entry.endsWith('.*') && name.startsWith(entry.slice(0, -1)) && name.length > entry.length - 1) return true;
  }
  return false;
}
