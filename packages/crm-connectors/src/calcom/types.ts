/**
 * What Cal.com API v2 answers, as far as this connector reads it. Every
 * answer is `{ status: "success", data }`; errors are
 * `{ status: "error", timestamp, path, error: { code, message } }`.
 * Unknown fields are dropped, so Cal.com adding some changes nothing here.
 */
import { z } from 'zod';

/** Each endpoint answers the shape of the version its `cal-api-version` header names. */
export const CAL_API_VERSION = {
  slots: '2024-09-04',
  bookings: '2024-08-13',
  eventTypes: '2024-06-14',
} as const;

/**
 * GET /v2/slots: slots grouped by date (in the requested time zone), starts
 * with their offset ("2027-03-02T10:00:00.000+01:00"); with `format=range`
 * each also has its end.
 */
export const CalSlots = z.record(
  z.string(),
  z.array(z.object({ start: z.iso.datetime({ offset: true }), end: z.iso.datetime({ offset: true }).optional() })),
);

/** A booking (BookingOutput_2024_08_13). `rescheduledToUid` is set on a booking moved to another one. */
export const CalBooking = z.object({
  uid: z.string().min(1),
  status: z.string(),
  start: z.string(),
  end: z.string().optional(),
  rescheduledToUid: z.string().min(1).optional(),
});
export type CalBooking = z.infer<typeof CalBooking>;

/** POST /v2/bookings: one booking, or every occurrence for a recurring event type. */
export const CalCreatedBooking = z.union([CalBooking, z.array(CalBooking).min(1)]);

/** GET /v2/event-types/{id} (EventTypeOutput_2024_06_14), the part read here. */
export const CalEventType = z.object({ id: z.number(), lengthInMinutes: z.number().int().positive() });

/** What POST /v2/bookings takes (CreateBookingInput_2024_08_13), the part sent here. */
export interface CalAttendee {
  name: string;
  email?: string;
  timeZone: string;
  /** One of Cal.com's BookingLanguage values: the language of its emails to the attendee. */
  language?: string;
  /** International format; Cal.com checks it with libphonenumber. */
  phoneNumber?: string;
}
