/**
 * Which language to answer in. A message that is clearly French or English
 * decides; otherwise the language the conversation last used; then what the
 * channel or the contact says; then the bot's first locale.
 */
import type { Text } from '../bot-folder/schemas.js';
import { type Locale, normalise, pickLocale } from '../text.js';

// Common words that give a language away even in a three-word SMS. Words both languages share
// ("ok", "menu", "a") are left out on purpose.
const MARKERS: Record<Locale, ReadonlySet<string>> = {
  fr: new Set(
    'je j tu il elle nous vous est suis sont le la les l de des du un une et ou pour avec sans mon ma mes votre vos ce cette quand comment pourquoi quel quelle quels combien bonjour bonsoir salut merci oui non pas avez ai peux puis veux voudrais commande livraison retour remboursement horaires ouvert magasin paiement qu est ce que qui sur dans'.split(
      ' ',
    ),
  ),
  en: new Set(
    'i you he she we they is am are the of and or for with without my your this that when how why what which where hello hi hey thanks thank yes no not have has can could would want order delivery return refund hours open shop store payment do does to in on'.split(
      ' ',
    ),
  ),
};

export function guessLocale(text: string): Locale | undefined {
  const words = normalise(text).split(' ').filter(Boolean).slice(0, 40);
  let fr = 0;
  let en = 0;
  for (const word of words) {
    if (MARKERS.fr.has(word)) fr += 1;
    if (MARKERS.en.has(word)) en += 1;
  }
  if (fr > 0 && fr >= 2 * en) return 'fr';
  if (en > 0 && en >= 2 * fr) return 'en';
  return undefined;
}

export interface LocaleHints {
  text: string | undefined;
  remembered: string | undefined;
  sender: string | undefined;
  contact: string | null | undefined;
}

export function chooseLocale(hints: LocaleHints, supported: readonly Locale[]): Locale {
  const fallback = supported[0] ?? 'en';
  const candidates = [
    hints.text ? guessLocale(hints.text) : undefined,
    pickLocale(hints.remembered),
    pickLocale(hints.sender, hints.contact),
  ];
  return candidates.find((locale): locale is Locale => locale !== undefined && supported.includes(locale)) ?? fallback;
}

/** The text in `locale`, else in the bot's first locale, else any. */
export function pickText(text: Text, locale: Locale, supported: readonly Locale[]): string {
  if (typeof text === 'string') return text;
  return text[locale] ?? text[supported[0] ?? 'en'] ?? Object.values(text)[0] ?? '';
}
