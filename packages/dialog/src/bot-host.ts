/**
 * Holds the bot currently in service and swaps it for a new version when the
 * bot folder changes (file watch), when `gateway reload-bot` asks every
 * worker through Redis, or on SIGHUP. A version with a mistake is refused
 * (logged with file and line) and the one in service stays. Conversations
 * in progress keep their session; one whose question disappeared is told so
 * and starts again (see DialogEngine).
 */
import { type FSWatcher, watch } from 'node:fs';
import type { Logger, Redis } from '@passerelle/core';
import type { Bot, BotAnswer, BotTurn } from './bot.js';
import { type BotDefinition, loadBot } from './bot-folder/load-bot.js';
import { BotFolderError, formatProblems } from './bot-folder/yaml-source.js';
import { DialogEngine } from './engine/dialog-engine.js';

export const reloadChannel = (prefix: string) => `${prefix}:bot:reload`;

export interface ReloadResult {
  ok: boolean;
  version: string;
  problems?: string;
}

export class BotHost implements Bot {
  private engine: DialogEngine;
  private watcher: FSWatcher | undefined;
  private subscriber: Redis | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private reloading: Promise<ReloadResult> | undefined;

  private constructor(
    readonly dir: string,
    definition: BotDefinition,
    private readonly logger: Logger,
  ) {
    this.engine = new DialogEngine(definition);
    this.logWarnings(definition);
  }

  /** Loads the bot folder; throws BotFolderError (every problem, with file and line) when it is wrong. */
  static async open(dir: string, logger: Logger): Promise<BotHost> {
    return new BotHost(dir, await loadBot(dir), logger);
  }

  get name(): string {
    return this.engine.name;
  }

  get definition(): BotDefinition {
    return this.engine.bot;
  }

  answer(turn: BotTurn): Promise<BotAnswer> {
    return this.engine.answer(turn);
  }

  async reload(): Promise<ReloadResult> {
    // Two changes in a row reload once after the other, never interleaved.
    const previous = this.reloading ?? Promise.resolve(undefined);
    const next = previous.then(() => this.reloadNow());
    this.reloading = next;
    return next;
  }

  private async reloadNow(): Promise<ReloadResult> {
    try {
      const definition = await loadBot(this.dir);
      const before = this.engine.bot.version;
      if (definition.version !== before) {
        this.engine = new DialogEngine(definition);
        this.logWarnings(definition);
        this.logger.info({ botDir: this.dir, version: definition.version, before }, 'bot reloaded');
      } else {
        this.logger.info({ botDir: this.dir, version: before }, 'bot folder unchanged');
      }
      return { ok: true, version: definition.version };
    } catch (error) {
      const problems = error instanceof BotFolderError ? formatProblems(error.problems) : String(error);
      this.logger.error({ botDir: this.dir, problems }, 'bot folder not reloaded: the version in service stays');
      return { ok: false, version: this.engine.bot.version, problems };
    }
  }

  /** Reloads shortly after the folder stops changing (an editor writes a file in several steps). */
  watchFolder(): void {
    this.watcher = watch(this.dir, { recursive: true }, () => {
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => void this.reload(), 300);
    });
    this.watcher.on('error', (error) => this.logger.warn({ err: error }, 'bot folder watch stopped'));
  }

  /** Every worker listening on one Redis reloads when any of them is asked to. */
  async listenForReload(subscriber: Redis, prefix: string): Promise<void> {
    this.subscriber = subscriber;
    await subscriber.subscribe(reloadChannel(prefix));
    subscriber.on('message', (channel) => {
      if (channel === reloadChannel(prefix)) void this.reload();
    });
  }

  async close(): Promise<void> {
    clearTimeout(this.debounce);
    this.watcher?.close();
    await this.subscriber?.quit().catch(() => {});
    await this.reloading;
  }

  private logWarnings(definition: BotDefinition): void {
    if (definition.warnings.length > 0) {
      this.logger.warn({ warnings: formatProblems(definition.warnings) }, 'bot folder loaded with warnings');
    }
  }
}
