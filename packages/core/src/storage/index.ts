export { type ConsentSource, type Identity, isOptedOut, recordOptIn, recordOptOut } from './consent.js';
export { type Contact, getContact, type IdentityHint, resolveContact } from './contacts.js';
export { type Db, type OpenDbOptions, openDb, type Queryable } from './db.js';
export {
  type Delivery,
  type DeliveryStatus,
  type DeliveryUpdate,
  getDelivery,
  markDelivery,
  markDeliveryByProviderId,
} from './deliveries.js';
export { cancelHandoff, type HandoffRequest, type HandoffRow, handoffsOf, requestHandoff } from './handoffs.js';
export { recordInbound, recordOutbound, type TranscriptLine, transcript } from './messages.js';
export { type MigrationResult, migrate } from './migrate.js';
export { MIGRATIONS, type Migration } from './migrations.js';
export { createTicket, type NewTicket, type Ticket, ticketsOf } from './tickets.js';
