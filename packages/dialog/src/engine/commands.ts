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
    fr: ['arret', 'arreter', 'desabonner', 'me desabonner', 'desinscrire', 'me desinscrire', 'desabonnement'],
  },
  start: { en: ['start', 'unstop', 'subscribe'], fr: ['reabonner', 'me reabonner'] },
  menu: {
    en: ['menu', 'main menu', 'restart', 'start over', 'reset', 'home'],
    fr: ['recommencer', 'accueil', 'retour au menu', 'menu principal'],
  },
  help: { en: ['help', 'info', '?'], fr: ['aide', 'au secours', 'besoin d aide'] },
  // The word alone, or with "please": "Conseiller !", "agent svp". Inside a sentence, see HUMAN_PHRASES.
  human: {
    en: ['agent', 'human', 'operator', 'adviser', 'advisor', 'person', 'someone'],
    fr: ['conseiller', 'conseillere', 'humain', 'operateur', 'operatrice', 'quelqu un', 'une personne'],
  },
};

/**
 * Anywhere in a message: "je voudrais parler à un conseiller", "can I talk to an agent". With
 * its article, because "conseiller" alone is also a verb ("pouvez-vous me conseiller une lampe")
 * and "service client" is how people ask for its opening hours.
 */
const HUMAN_PHRASES = {
  en: [
    'an agent',
    'a human',
    'human agent',
    'an operator',
    'an adviser',
    'an advisor',
    'a real person',
    'a person',
    'talk to someone',
    'speak to someone',
  ],
  fr: [
    'un conseiller',
    'une conseillere',
    'au conseiller',
    'un humain',
    'un operateur',
    'une operatrice',
    'parler a quelqu un',
    'parler a une personne',
    'une vraie personne',
  ],
};

/** Words that do not change what a short command means: "stop svp", "menu please". */
const POLITENESS = /\b(svp|stp|please|pls|merci|thanks|thank you|s il vous plait|s il te plait)\b/g;

/** Commands recognised only when they are the whole message. */
const WHOLE_MESSAGE: readonly Command[] = ['stop', 'start', 'menu', 'help', 'human'];

export class CommandMatcher {
  private readonly words: Map<Command, string[]>;
  private readonly humanPhrases: string[];

  constructor(extra: BotSettings['commands']) {
    this.words = new Map();
    for (const command of Object.keys(DEFAULT_WORDS) as Command[]) {
      const defaults = DEFAULT_WORDS[command];
      const added = command === 'start' ? {} : (extra[command] ?? {});
      const all = [...defaults.en, ...defaults.fr, ...Object.values(added).flat()];
      this.words.set(command, [...new Set(all.map((word) => (word === '?' ? '?' : normalise(word))))]);
    }
    // Words a bot folder adds for `human` count anywhere in a message, as its phrases.
    const addedHuman = Object.values(extra.human ?? {}).flat();
    this.humanPhrases = [...HUMAN_PHRASES.en, ...HUMAN_PHRASES.fr, ...addedHuman].map(normalise);
  }

  match(text: string): Command | undefined {
    const raw = text.trim();
    if (raw === '?') return 'help';
    const words = normalise(raw);
    if (!words) return undefined;
    const bare = words.replace(POLITENESS, ' ').replace(/\s+/g, ' ').trim();
    for (const command of WHOLE_MESSAGE) {
      const list = this.words.get(command) ?? [];
      if (list.includes(words) || (bare && list.includes(bare))) return command;
    }
    const padded = ` ${words} `;
    if (this.humanPhrases.some((phrase) => padded.includes(` ${phrase} `))) return 'human';
    return undefined;
  }
}
