export { CANCELLATION_REASON, RESCHEDULING_REASON } from './bookings.js';
export { calcomConnector } from './definition.js';
export { CalcomSettings } from './settings.js';
