/**
 * The echo bot (test/fixtures/echo-bot) with its own delivery settings: a
 * copy in a temporary folder whose bot.yaml adds a `delivery.uncertain`
 * section, for the tests of what a send with an unknown outcome does.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Purpose, UncertainSend } from '@passerelle/core';

const ECHO_BOT_YAML = fileURLToPath(new URL('../fixtures/echo-bot/bot.yaml', import.meta.url));

export interface EchoBotCopy {
  dir: string;
  remove(): Promise<void>;
}

export async function echoBotWith(uncertain: Partial<Record<Purpose, UncertainSend>>): Promise<EchoBotCopy> {
  const dir = await mkdtemp(join(tmpdir(), 'passerelle-echo-bot-'));
  const lines = Object.entries(uncertain).map(([purpose, policy]) => `    ${purpose}: ${policy}`);
  const yaml = `${await readFile(ECHO_BOT_YAML, 'utf8')}delivery:\n  uncertain:\n${lines.join('\n')}\n`;
  await writeFile(join(dir, 'bot.yaml'), yaml);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
