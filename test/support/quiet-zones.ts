/**
 * Time zones where, right now and for a while, commercial SMS may (or may
 * not) go out under a quiet-hours policy: tests and the bench pick their
 * recipients' zones with it, so they pass whatever the day and hour they run.
 */
import { type ChannelQuietHours, checkQuietHours, DEFAULT_QUIET_HOURS } from '@passerelle/dialog';

/** Zones around the world: at any moment some are inside 08:00-20:00 Mon-Sat, some outside. */
export const WORLD_ZONES = [
  'Pacific/Kiritimati',
  'Pacific/Auckland',
  'Australia/Sydney',
  'Asia/Tokyo',
  'Asia/Shanghai',
  'Asia/Kathmandu',
  'Asia/Kolkata',
  'Asia/Dubai',
  'Europe/Moscow',
  'Europe/Paris',
  'Europe/London',
  'Atlantic/Azores',
  'America/Sao_Paulo',
  'America/New_York',
  'America/Montreal',
  'America/Chicago',
  'America/Denver',
  'America/Los_Angeles',
  'America/Anchorage',
  'Pacific/Honolulu',
  'Pacific/Pago_Pago',
];

/** A zone where sending stays allowed (or stays forbidden) for the next `minutes`, checked minute by minute. */
export function zoneWhere(
  allowed: boolean,
  minutes: number,
  policy: ChannelQuietHours = DEFAULT_QUIET_HOURS.sms,
): string | undefined {
  const now = Date.now();
  return WORLD_ZONES.find((zone) =>
    Array.from({ length: minutes + 1 }, (_, m) => new Date(now + m * 60_000)).every(
      (at) => checkQuietHours(policy, at, zone).allowed === allowed,
    ),
  );
}
