/**
 * Which of Cal.com's refusals mean "that time is no longer bookable", so the
 * flow offers other slots instead of an apology. Cal.com says it with a 400
 * and a sentence (ErrorsBookingsService_2024_08_13.handleBookingError):
 *   - "User either already has booking at this time or is not available"
 *     (for a team event: "One of the hosts either already has booking ...");
 *   - "The event type can't be booked at the "start" time provided ..." (too
 *     soon for the minimum notice now, or past the booking window);
 *   - "Attempting to book a meeting in the past.";
 * and with a 409 when two requests race for the same time (the booking's
 * unique key in its database: "Trying to create a record that already exists").
 */
import { ConnectorHttpError } from '../errors.js';

const NO_LONGER_BOOKABLE =
  /already has booking at this time or is not available|no_available_users_found|hosts_unavailable|can't be booked at the|book a meeting in the past/i;

export function isSlotTaken(error: unknown): boolean {
  if (!(error instanceof ConnectorHttpError)) return false;
  return error.status === 409 || (error.status === 400 && NO_LONGER_BOOKABLE.test(error.message));
}

/** A 400 for a booking: among others, one already cancelled, or moved to another by a reschedule. */
export function isBadRequest(error: unknown): boolean {
  return error instanceof ConnectorHttpError && error.status === 400;
}
