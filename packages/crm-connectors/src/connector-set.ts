import type { BookingConnector, CrmConnector, OrderConnector } from './interfaces.js';

/** What a bot has connected: a flow step needing one that is missing says so rather than failing. */
export interface ConnectorSet {
  crm?: CrmConnector;
  orders?: OrderConnector;
  bookings?: BookingConnector;
}
