/**
 * Broken copies of the demo bot folder (bots/demo), one mistake at a time, for
 * the tests that check a bot author is told which file and line to fix.
 *
 * Expected lines are never hard-coded: they are found by searching the
 * mutated file for a marker, so the tests survive edits to the demo files.
 */
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEMO_DIR = fileURLToPath(new URL('../../../../bots/demo', import.meta.url));

/** One edit of the bot folder: a text replacement in one file, or a whole new file. */
export type Mutation =
  /** `find` must occur exactly once in `file`, so the edit cannot silently land elsewhere. */
  { file: string; find: string; replace: string } | { file: string; write: string };

export interface BotCopy {
  dir: string;
  /** The text of one of its files, as it is now (after the mutations). */
  read(file: string): Promise<string>;
  remove(): Promise<void>;
}

/** A fresh copy of bots/demo in its own temporary folder, with the mutations applied in order. */
export async function demoCopy(...mutations: Mutation[]): Promise<BotCopy> {
  const dir = await mkdtemp(join(tmpdir(), 'passerelle-bot-'));
  const copy: BotCopy = {
    dir,
    read: (file) => readFile(join(dir, file), 'utf8'),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
  try {
    await cp(DEMO_DIR, dir, { recursive: true });
    for (const mutation of mutations) await mutate(dir, mutation);
  } catch (error) {
    await copy.remove();
    throw error;
  }
  return copy;
}

async function mutate(dir: string, mutation: Mutation): Promise<void> {
  const path = join(dir, mutation.file);
  if ('write' in mutation) {
    await writeFile(path, mutation.write);
    return;
  }
  const text = await readFile(path, 'utf8');
  const count = occurrences(text, mutation.find);
  assert.equal(
    count,
    1,
    `the mutation expects ${JSON.stringify(mutation.find)} exactly once in ${mutation.file}, found ${count} (did the demo bot change?)`,
  );
  await writeFile(
    path,
    text.replace(mutation.find, () => mutation.replace),
  );
}

/** The demo file as it is in the repository. */
export function demoFile(file: string): Promise<string> {
  return readFile(join(DEMO_DIR, file), 'utf8');
}

/**
 * The 1-based line on which `marker` appears in `text`. With `nth`, its nth
 * appearance; without, the marker must be unique, so a test cannot pass by
 * pointing at the wrong one of two similar lines.
 */
export function lineOf(text: string, marker: string, nth?: number): number {
  const count = occurrences(text, marker);
  if (nth === undefined) {
    assert.equal(count, 1, `marker ${JSON.stringify(marker)} should appear exactly once, found ${count}`);
  } else {
    assert.ok(count >= nth, `marker ${JSON.stringify(marker)} appears ${count} time(s), wanted appearance ${nth}`);
  }
  let at = -1;
  for (let seen = 0; seen < (nth ?? 1); seen++) at = text.indexOf(marker, at + 1);
  return text.slice(0, at).split('\n').length;
}

function occurrences(text: string, part: string): number {
  let count = 0;
  for (let at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length)) count++;
  return count;
}
