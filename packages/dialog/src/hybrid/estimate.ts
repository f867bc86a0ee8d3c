/**
 * How long a customer waiting for a person should expect to wait, and the
 * sentence that tells them. A rough estimate on purpose: whole minutes,
 * never less than one, said with "environ" / "about".
 */
import type { HoursLocale } from './hours.js';

export interface WaitInput {
  /** The customer's place in the queue, 1 for the next one served. */
  position: number;
  /** Operators online with room for one more conversation right now. */
  operatorsFree: number;
  /** Operators online, busy or not. */
  operatorsOnline: number;
  /** The team's average_handling, in milliseconds. */
  averageHandlingMs: number;
}

/**
 * First in line with an operator free: about a minute (the time to be picked
 * up). Otherwise every conversation ahead, and the customer's own, shares
 * the online operators: position × average handling / operators online
 * (at least one, so a queue with nobody online still gets an estimate),
 * rounded up to whole minutes, at least 1.
 */
export function waitEstimate({ position, operatorsFree, operatorsOnline, averageHandlingMs }: WaitInput): {
  minutes: number;
} {
  const place = Math.max(1, Math.floor(finite(position)));
  if (place === 1 && finite(operatorsFree) >= 1) return { minutes: 1 };
  const operators = Math.max(1, Math.floor(finite(operatorsOnline)));
  const ms = (place * Math.max(0, finite(averageHandlingMs))) / operators;
  return { minutes: Math.max(1, Math.ceil(ms / 60_000)) };
}

/**
 * "Vous êtes 2e dans la file d'attente, environ 4 minutes." /
 * "You are number 2 in the queue, about 4 minutes." The first one is "1er"
 * in French and "next in line" in English.
 */
export function describeWait(position: number, minutes: number, locale: HoursLocale): string {
  const place = Math.max(1, Math.floor(finite(position)));
  const wait = Math.max(1, Math.ceil(finite(minutes)));
  if (locale === 'fr') {
    const rank = place === 1 ? '1er' : `${place}e`;
    return `Vous êtes ${rank} dans la file d'attente, environ ${wait} minute${wait === 1 ? '' : 's'}.`;
  }
  const where = place === 1 ? 'next in line' : `number ${place} in the queue`;
  return `You are ${where}, about ${wait} minute${wait === 1 ? '' : 's'}.`;
}

function finite(value: number): number {
  return Number.isFinite(value) ? value : 0;
}
