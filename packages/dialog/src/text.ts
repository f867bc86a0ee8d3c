/** Lower case, accents removed, punctuation to spaces: "Où est ma COMMANDE ?" -> "ou est ma commande". */
export function normalise(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[^\p{Letter}\p{Number}]+/gu, ' ')
    .trim();
}

export type Locale = 'fr' | 'en';

/** The bot speaks French to whoever's locale says French, English otherwise. */
export function pickLocale(...hints: Array<string | null | undefined>): Locale | undefined {
  for (const hint of hints) {
    if (!hint) continue;
    return hint.toLowerCase().startsWith('fr') ? 'fr' : 'en';
  }
  return undefined;
}

/** Fills {{name}} placeholders; an unknown name is left visible rather than silently dropped. */
export function fill(template: string, values: Record<string, string | undefined>): string {
  return template.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (whole, name: string) => values[name] ?? whole);
}
