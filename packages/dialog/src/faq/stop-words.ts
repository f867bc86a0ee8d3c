/**
 * Words the FAQ matcher ignores, in French and English.
 *
 * Why: customers' questions are mostly made of these ("est-ce que vous", "how do I", "what is the"). They
 * appear in nearly every FAQ question, so left in they would dominate matching: "Où est le showroom ?" would
 * score on "ou", "est" and "le" as much as on "showroom", a message made only of them ("ok merci", "is it")
 * would look like a match, and they would count as unmatched words against the confidence of a good match.
 * Besides articles, pronouns and auxiliaries, the lists hold question words (quand, combien, how, where:
 * they say a question is asked, not what about), request verbs (pouvoir, vouloir, can, would like) and
 * politeness (merci, bonjour, please, thanks).
 *
 * They are written as people spell them; `stopWords` holds them normalised like the text they are compared
 * with (lower case, no accents). Keep the lists short: a topical word here ("livraison", "order") would make
 * the bot deaf to it.
 */
import { type Locale, normalise } from '../text.js';

const FRENCH = `
  le la les un une des du de au aux en dans par pour sur sous avec sans chez vers entre
  je tu il elle on nous vous ils elles me te se moi toi lui leur leurs ce ça cela ceci cet cette ces
  qui que qu quoi dont quelqu mon ma mes ton ta tes son sa ses notre nos votre vos
  et ou où mais donc or ni car si comme ne pas plus très aussi bien alors déjà encore toujours tout tous toute toutes même
  quel quelle quels quelles quand comment combien pourquoi
  suis es est sommes êtes sont été être ai as avons avez ont avoir
  peux peut pouvez pourrais pourriez puis veux veut voulez voudrais voudrions fait faire fais faut sais savoir
  merci bonjour bonsoir salut svp stp ok oui non
  jai cest jveux jpeux jsuis vs koi kan pk pr ds ke bjr slt
`;

const ENGLISH = `
  the an of to in on at for from by with without about into as and or but so if than then not no yes
  me my mine you your yours we us our he she it its they them their this that these those there here
  is are was were be been being am do does did done have has had can could would should will shall may might must
  what which who whom whose when where why how much many any some all just also very too
  please thanks thank hello hi ok okay get got want like need know tell
  still yet already again
  im ive id ill dont doesnt didnt cant isnt don doesn didn isn aren wasn weren hasn haven won wouldn couldn shouldn
`;

/** 1-letter words are dropped anyway, and tell no language apart ("à" normalises to the English "a"). */
function words(list: string): Set<string> {
  return new Set(
    list
      .split(/\s+/)
      .map(normalise)
      .filter((word) => word.length >= 2),
  );
}

/** Normalised stop words of each language. */
export const stopWords: Readonly<Record<Locale, ReadonlySet<string>>> = { fr: words(FRENCH), en: words(ENGLISH) };

/** True for a normalised word found in either list. */
export function isStopWord(word: string): boolean {
  return stopWords.fr.has(word) || stopWords.en.has(word);
}
