import { z } from 'zod';

const DURATION = /^(\d+)\s*(ms|s|m|min|h|d)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** "90s", "30m", "2h", "1d", "500ms" -> milliseconds. Throws on anything else. */
export function parseDuration(text: string): number {
  const match = DURATION.exec(text.trim());
  if (!match) throw new Error(`not a duration: ${text}`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** A duration as people write it in YAML settings, read as milliseconds. */
export const Duration = z
  .string()
  .regex(DURATION, 'a duration is a number and a unit: 500ms, 90s, 30m, 2h, 1d')
  .transform(parseDuration);
