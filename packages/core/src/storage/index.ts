export * from './audience.js';
export * from './broadcasts.js';
export * from './campaigns.js';
export {
  type ConsentProof,
  type ConsentRecord,
  type ConsentSource,
  type ConsentState,
  consentHistory,
  consentOf,
  consentOfContact,
  type Identity,
  isOptedOut,
  recordOptIn,
  recordOptOut,
} from './consent.js';
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
export { EmbeddedDatabaseBusy, type EmbeddedRole, NoEmbeddedOwner } from './embedded/open-embedded.js';
export { type ContactExport, type ErasedContact, eraseContact, exportContact } from './erase.js';
export {
  assignedTo,
  assignHandoff,
  cancelHandoff,
  closeHandoff,
  expireWaiting,
  getHandoff,
  type Handoff,
  type HandoffRequest,
  type HandoffStatus,
  markFirstReply,
  openHandoffOf,
  operatorLoads,
  queuePosition,
  requestHandoff,
  waitingHandoffs,
} from './handoffs.js';
export {
  type ConversationRecipient,
  conversationRecipient,
  recordInbound,
  recordOutbound,
  type TranscriptLine,
  transcript,
} from './messages.js';
export { type MigrationResult, migrate } from './migrate.js';
export { MIGRATIONS, type Migration } from './migrations.js';
export {
  createOperator,
  findOperatorByEmail,
  getOperator,
  listOperators,
  type NewOperator,
  normalizeEmail,
  OPERATOR_ROLES,
  type Operator,
  type OperatorChanges,
  type OperatorCredentials,
  OperatorExistsError,
  OperatorInputError,
  OperatorNotFoundError,
  type OperatorRole,
  operatorCredentialsByEmail,
  operatorCredentialsById,
  setOperatorActive,
  setOperatorPassword,
  updateOperator,
} from './operators.js';
export {
  addTicketEvent,
  createTicket,
  getTicket,
  listTickets,
  type NewTicket,
  type Ticket,
  type TicketEvent,
  type TicketStatus,
  type TicketSummary,
  ticketEvents,
  updateTicket,
} from './tickets.js';
