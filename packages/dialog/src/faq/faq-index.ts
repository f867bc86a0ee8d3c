/**
 * Finds the FAQ entry a customer's message is about, in French or English, forgiving case, accents, plurals
 * and typos. MiniSearch does the retrieval and ranking (BM25 with fuzzy and prefix matching); this file only
 * turns its results into a decision: answer, "did you mean…?", or nothing.
 *
 * Index: one document per (entry, locale), with three fields: the questions, the keywords (boosted) and the
 * title (boosted). Text goes through `normalise` (lower case, no accents, punctuation to spaces), then
 * 1-letter words and stop words of both languages are dropped and a light plural folding is applied
 * ("horaires" -> "horaire", "cadeaux" -> "cadeau").
 *
 * Query: the same processing, at most MAX_QUERY_TERMS distinct terms. Each term may also match as a prefix
 * (3 letters or more: "rembours" finds "remboursement") or with typos (1 edit from 4 letters, 2 from 8:
 * "livraision", "waranty"). Results are merged per entry (the best of its two documents).
 *
 * Confidence, in 0..1 (see `confidenceOf`), for an entry E and the query's meaningful terms T:
 *
 *   quality(t)     = 1 if t is a word of E, 0.9 if it begins one (prefix), 0.75 if it matched with a typo,
 *                    0 if it did not match E;
 *   specificity(t) = min(1, SPECIFIC / n(t)), n(t) = number of entries t matches as well as E (exact and prefix
 *                    count alike): a word found in many entries ("commande", "lamp") says little about which;
 *   coverage       = sum over T of quality(t) * specificity(t), divided by |T|;
 *   lead           = 1 - score(strongest other entry) / score(E), from MiniSearch's scores; 1 when E is alone;
 *   separation     = min(1, lead / FULL_LEAD): E is fully separated when it scores twice its strongest rival;
 *   confidence     = coverage * (LEAD_FLOOR + (1 - LEAD_FLOOR) * separation).
 *
 * So a message whose every meaningful word points to one entry, and to that entry far more than to any other,
 * gets 1; words the FAQ does not know pull it down in proportion; two entries in a tie get at most LEAD_FLOOR.
 * Decision, with B the best entry and "close" the entries (up to MAX_CANDIDATES) scoring at least
 * CANDIDATE_RATIO of B:
 *   - `none`   when no meaningful term is left, nothing matched, or the close entries together match no more
 *              than half of the terms and fewer than MIN_MATCHED_TERMS of them: the message is about something
 *              else ("quel temps fait-il à Tokyo" shares only "temps" with the FAQ);
 *   - `answer` when confidence(B) >= threshold (option, else the file's `threshold`, else 0.5);
 *   - `unsure` otherwise, with the close entries (at least two when two matched at all) for "did you
 *              mean…?" buttons, each with its own confidence (a runner-up's rival is B, so its lead is 0).
 *
 * Locale of the reply: the language the customer wrote in. Both languages' words count, because content
 * words are often shared ("showroom", "newsletter", "PayPal") and the question's little words are the best
 * clue ("où est le showroom"): one vote per stop word that only one language has, plus one vote for the
 * language whose document of the best entry scored clearly higher (by more than 10 %). A tie goes to
 * `preferredLocale`, then to the language of the best document.
 */
import MiniSearch, { type SearchOptions, type SearchResult } from 'minisearch';
import { type Locale, normalise } from '../text.js';
import type { FaqEntry, FaqFile } from './faq-file.js';
import { isStopWord, stopWords } from './stop-words.js';

export interface FaqCandidate {
  entry: FaqEntry;
  confidence: number;
}

export type FaqMatch =
  | { kind: 'answer'; entry: FaqEntry; locale: Locale; confidence: number }
  /** 2..3 candidates, best first, for "did you mean…?" buttons (1 only when a single entry matched at all). */
  | { kind: 'unsure'; locale: Locale; candidates: FaqCandidate[] }
  | { kind: 'none'; locale: Locale | undefined };

export interface FaqIndexOptions {
  /** Confidence from which the best entry is answered; overrides the file's `threshold`. Default 0.5. */
  threshold?: number;
}

export const DEFAULT_THRESHOLD = 0.5;
/** Longer messages are cut to their first distinct meaningful terms: enough for any question, bounded cost. */
export const MAX_QUERY_TERMS = 50;
/** Longer "words" (URLs, pasted tokens, keyboard mashing) are no FAQ word and make fuzzy search costly. */
const MAX_TERM_LENGTH = 30;

// The constants of the confidence formula and of the decision (see the top of the file).
const MATCH_QUALITY = { exact: 1, prefix: 0.9, fuzzy: 0.75 } as const;
const SPECIFIC = 2;
const FULL_LEAD = 0.5;
const LEAD_FLOOR = 0.2;
const MIN_COVERAGE = 0.5;
const MIN_MATCHED_TERMS = 2;
const CANDIDATE_RATIO = 0.4;
const MAX_CANDIDATES = 3;
/** How much more one language's document must score to count as a clue of the customer's language. */
const LOCALE_MARGIN = 1.1;

const LOCALES: readonly Locale[] = ['fr', 'en'];

interface FaqDocument {
  id: string;
  entryIndex: number;
  locale: Locale;
  questions: string;
  keywords: string;
  title: string;
}

/** What one entry got from the search: its best document's score and how each query term matched it. */
interface EntryHit {
  entryIndex: number;
  score: number;
  scores: Record<Locale, number>;
  matched: Map<string, number>;
}

/** Light folding of plurals, the same for indexed and query terms: "horaires" -> "horaire", "cadeaux" -> "cadeau". */
function fold(term: string): string {
  if (term.length >= 5 && term.endsWith('eaux')) return term.slice(0, -1);
  if (term.length >= 5 && term.endsWith('s') && !term.endsWith('ss')) return term.slice(0, -1);
  return term;
}

/** Splits normalised text into words. */
function tokenize(text: string): string[] {
  return normalise(text).split(' ').filter(Boolean);
}

/** Keeps the words that say what a message is about, folded; null for the others. */
function processTerm(term: string): string | null {
  if (term.length < 2 || term.length > MAX_TERM_LENGTH || isStopWord(term)) return null;
  return fold(term);
}

/** How many typos a query term may carry: none below 4 letters, 1 up to 7, 2 from 8. */
function allowedEdits(term: string): number | false {
  if (term.length >= 8) return 2;
  if (term.length >= 4) return 1;
  return false;
}

const SEARCH_OPTIONS: SearchOptions = {
  boost: { keywords: 2, title: 1.5, questions: 1 },
  prefix: (term) => term.length >= 3,
  fuzzy: allowedEdits,
  combineWith: 'OR',
  // The query is tokenized and processed before the search (to cap it); do not do it twice.
  tokenize: (query) => query.split(' '),
  processTerm: (term) => term,
};

export class FaqIndex {
  readonly size: number;
  readonly threshold: number;
  private readonly entries: readonly FaqEntry[];
  private readonly byId: ReadonlyMap<string, FaqEntry>;
  private readonly search: MiniSearch<FaqDocument>;

  constructor(file: FaqFile, options: FaqIndexOptions = {}) {
    this.entries = file.entries;
    this.size = file.entries.length;
    this.threshold = options.threshold ?? file.threshold ?? DEFAULT_THRESHOLD;
    this.byId = new Map(file.entries.map((entry) => [entry.id, entry]));
    this.search = new MiniSearch<FaqDocument>({
      fields: ['questions', 'keywords', 'title'],
      storeFields: ['entryIndex', 'locale'],
      tokenize,
      processTerm,
      searchOptions: SEARCH_OPTIONS,
    });
    this.search.addAll(
      file.entries.flatMap((entry, entryIndex) =>
        LOCALES.map((locale) => ({
          id: `${entry.id}:${locale}`,
          entryIndex,
          locale,
          questions: entry.questions[locale].join('\n'),
          keywords: (entry.keywords?.[locale] ?? []).join('\n'),
          title: entry.title[locale],
        })),
      ),
    );
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }

  entry(id: string): FaqEntry | undefined {
    return this.byId.get(id);
  }

  match(text: string, preferredLocale?: Locale): FaqMatch {
    const words = tokenize(text);
    const terms = queryTerms(words);
    const votes = stopWordVotes(words);
    const hits = terms.length > 0 ? this.hits(terms) : [];
    const best = hits[0];
    const close = best
      ? hits.filter((hit, rank) => rank < MAX_CANDIDATES && hit.score >= best.score * CANDIDATE_RATIO)
      : [];
    if (!best || !isMeaningful(close, terms)) {
      return { kind: 'none', locale: winner(votes) ?? preferredLocale };
    }

    const bestDocLocale: Locale = best.scores.fr >= best.scores.en ? 'fr' : 'en';
    if (best.scores.fr > best.scores.en * LOCALE_MARGIN) votes.fr += 1;
    else if (best.scores.en > best.scores.fr * LOCALE_MARGIN) votes.en += 1;
    const locale = winner(votes) ?? preferredLocale ?? bestDocLocale;

    const confidence = confidenceOf(hits, 0, terms);
    const entry = this.entries[best.entryIndex] as FaqEntry;
    if (confidence >= this.threshold) return { kind: 'answer', entry, locale, confidence };

    // "Did you mean": the close entries, and at least two when two matched at all.
    const shown = close.length >= 2 ? close : hits.slice(0, 2);
    const candidates = shown.map((hit, rank) => ({
      entry: this.entries[hit.entryIndex] as FaqEntry,
      confidence: confidenceOf(hits, rank, terms),
    }));
    return { kind: 'unsure', locale, candidates };
  }

  /** Searches the terms and merges the results per entry, best first (ties: order of the file). */
  private hits(terms: string[]): EntryHit[] {
    const byEntry = new Map<number, EntryHit>();
    for (const result of this.search.search(terms.join(' '))) {
      const entryIndex = result['entryIndex'] as number;
      const locale = result['locale'] as Locale;
      let hit = byEntry.get(entryIndex);
      if (!hit) {
        hit = { entryIndex, score: 0, scores: { fr: 0, en: 0 }, matched: new Map() };
        byEntry.set(entryIndex, hit);
      }
      hit.scores[locale] = result.score;
      hit.score = Math.max(hit.score, result.score);
      for (const [term, quality] of matchQualities(result)) {
        hit.matched.set(term, Math.max(quality, hit.matched.get(term) ?? 0));
      }
    }
    return [...byEntry.values()].sort((a, b) => b.score - a.score || a.entryIndex - b.entryIndex);
  }
}

/** The distinct meaningful terms of a message, at most MAX_QUERY_TERMS of them. */
function queryTerms(words: string[]): string[] {
  const terms = new Set<string>();
  for (const word of words) {
    const term = processTerm(word);
    if (term) terms.add(term);
    if (terms.size >= MAX_QUERY_TERMS) break;
  }
  return [...terms];
}

/**
 * How well each query term matched a document. MiniSearch tells which query terms matched (`queryTerms`)
 * and which document terms they matched (`terms`), not which went with which: a query term found among the
 * document terms matched exactly, one that begins a document term matched as a prefix, any other by typo.
 */
function matchQualities(result: SearchResult): Map<string, number> {
  const qualities = new Map<string, number>();
  for (const term of result.queryTerms) {
    const quality = result.terms.includes(term)
      ? MATCH_QUALITY.exact
      : result.terms.some((found) => found.startsWith(term))
        ? MATCH_QUALITY.prefix
        : MATCH_QUALITY.fuzzy;
    qualities.set(term, quality);
  }
  return qualities;
}

/**
 * Whether the closest entries are about the message at all: together they must account for more than half
 * of the message's meaningful terms, or for at least MIN_MATCHED_TERMS of them (long messages carry many
 * words no FAQ has). Together, because a message can sit between two entries ("retour remboursement").
 */
function isMeaningful(close: EntryHit[], terms: string[]): boolean {
  const matched = new Map<string, number>();
  for (const hit of close) {
    for (const [term, quality] of hit.matched) matched.set(term, Math.max(quality, matched.get(term) ?? 0));
  }
  let sum = 0;
  for (const quality of matched.values()) sum += quality;
  return sum / terms.length > MIN_COVERAGE || matched.size >= MIN_MATCHED_TERMS;
}

/** See the formula at the top of the file: the confidence of `hits[rank]`, against the others. */
function confidenceOf(hits: EntryHit[], rank: number, terms: string[]): number {
  const hit = hits[rank] as EntryHit;
  const rival = hits[rank === 0 ? 1 : 0];
  const lead = rival ? Math.max(0, 1 - rival.score / hit.score) : 1;
  const separation = Math.min(1, lead / FULL_LEAD);
  let weighted = 0;
  for (const [term, quality] of hit.matched) {
    const asGood = Math.min(quality, MATCH_QUALITY.prefix);
    const entriesWithTerm = hits.filter((other) => (other.matched.get(term) ?? 0) >= asGood).length;
    weighted += quality * Math.min(1, SPECIFIC / entriesWithTerm);
  }
  const coverage = weighted / terms.length;
  const confidence = coverage * (LEAD_FLOOR + (1 - LEAD_FLOOR) * separation);
  return Math.round(confidence * 1000) / 1000;
}

/** One vote per word of the message that is a stop word of one language only. */
function stopWordVotes(words: string[]): Record<Locale, number> {
  const votes: Record<Locale, number> = { fr: 0, en: 0 };
  for (const word of words.slice(0, MAX_QUERY_TERMS * 4)) {
    const fr = stopWords.fr.has(word);
    const en = stopWords.en.has(word);
    if (fr && !en) votes.fr += 1;
    else if (en && !fr) votes.en += 1;
  }
  return votes;
}

function winner(votes: Record<Locale, number>): Locale | undefined {
  if (votes.fr > votes.en) return 'fr';
  if (votes.en > votes.fr) return 'en';
  return undefined;
}
