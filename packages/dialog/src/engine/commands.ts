/**
 * Global commands work at any point of a conversation, in a flow or not:
 * menu/restart, help, talk to a human, STOP (and START to come back).
 * A bot folder may add words in bot.yaml under `commands:`.
 */
import type { BotSettings } from '../bot-folder/schemas.js';
import { normalise } from '../text.js';

export type Command = 'stop' | 'start' | 'menu' | 'help' | 'human';

const DEFAULT_WORDS: Record<Command, { en: string[]; fr: string[] }> = {
  // Only the whole message: "stop sending me the wrong size" is a complaint, not an unsubscribe.
  stop: {
    en: ['stop', 'stopall', 'stop all', 'unsubscribe', 'cancel subscription', 'opt out', 'optout'],
    fr: [
      'arret',
      'arreter',
      'stop svp',
      'desabonner',
      'me desabonner',
      'desinscrire',
      'me desinscrire',
      'desabonnement',
    ],
  },
  start: { en: ['start', 'unstop', 'subscribe'], fr: ['reabonner', 'me reabonner'] },
  menu: {
    en: ['menu', 'main menu', 'restart', 'start over', 'reset', 'home'],
    fr: ['recommencer', 'accueil', 'retour au menu', 'menu principal'],
  },
  help: { en: ['help', 'info', '?'], fr: ['aide', 'au secours', 'besoin d aide'] },
  // Anywhere in the message: "je voudrais parler à un conseiller". Not "service client": that is
  // how people ask for its opening hours.
  human: {
    en: ['agent', 'human', 'operator', 'real person', 'talk to someone', 'speak to someone', 'talk to a person'],
    fr: [
      'conseiller',
      'conseillere',
      'humain',
      'operateur',
      'operatrice',
      'parler a quelqu un',
      'parler a une personne',
    ],
  },
};

/** Commands recognised only when they are the whole message. */
const WHOLE_MESSAGE: readonly Command[] = ['stop', 'start', 'menu', 'help'];

export class CommandMatcher {
  private readonly words: Map<Command, string[]>;

  constructor(extra: BotSettings['commands']) {
    this.words = new Map();
    for (const command of Object.keys(DEFAULT_WORDS) as Command[]) {
      const defaults = DEFAULT_WORDS[command];
      const added = command === 'start' ? {} : (extra[command] ?? {});
      const all = [...defaults.en, ...defaults.fr, ...Object.values(added).flat()];
      this.words.set(command, [...new Set(all.map((word) => (word === '?' ? '?' : normalise(word))))]);
    }
  }

  match(text: string): Command | undefined {
    const raw = text.trim();
    const words = normalise(raw).replace(/^\//, '');
    if (raw === '?') return 'help';
    if (!words) return undefined;
    for (const command of WHOLE_MESSAGE) {
      if (this.words.get(command)?.includes(words)) return command;
    }
    const padded = ` ${words} `;
    if (this.words.get('human')?.some((phrase) => padded.includes(` ${phrase} `))) return 'human';
    return undefined;
  }
}
