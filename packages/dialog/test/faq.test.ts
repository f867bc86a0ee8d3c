import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { FaqFile } from '../src/faq/faq-file.js';
import { FaqIndex, type FaqMatch } from '../src/faq/faq-index.js';
import type { Locale } from '../src/text.js';

const demoFile = FaqFile.parse(parse(await readFile(new URL('../../../bots/demo/faq.yaml', import.meta.url), 'utf8')));
const demo = new FaqIndex(demoFile);

/** What a match says, in one comparable line: "answer opening-hours fr", "unsure fr returns,refund-delay", "none -". */
function describeMatch(match: FaqMatch): string {
  if (match.kind === 'answer') return `answer ${match.entry.id} ${match.locale}`;
  if (match.kind === 'unsure') return `unsure ${match.locale} ${match.candidates.map((c) => c.entry.id).join(',')}`;
  return `none ${match.locale ?? '-'}`;
}

/** A minimal valid file, to break one thing at a time. */
function validFile() {
  return {
    entries: [
      {
        id: 'opening-hours',
        title: { en: 'Opening hours', fr: "Horaires d'ouverture" },
        questions: { en: ['When are you open?'], fr: ['Quand êtes-vous ouverts ?'] },
        answer: { en: 'From 9am to 7pm.', fr: 'De 9 h à 19 h.' },
      },
      {
        id: 'returns',
        title: { en: 'Returns', fr: 'Retours' },
        questions: { en: ['How do I return an item?'], fr: ['Comment retourner un article ?'] },
        keywords: { en: ['return'], fr: ['retour'] },
        answer: { en: 'Within 30 days.', fr: 'Sous 30 jours.' },
      },
    ],
  };
}

function issuesOf(input: unknown): Array<{ path: string; message: string }> {
  const result = FaqFile.safeParse(input);
  assert.equal(result.success, false, 'the file should be rejected');
  return result.error?.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })) ?? [];
}

describe('FAQ matcher on the demo FAQ', () => {
  // [customer's message, expected entry id | 'unsure' | 'none', expected locale, for 'unsure': the candidates in order]
  const cases: Array<[string, string, Locale | undefined, string[]?]> = [
    // Questions as written in the file, both languages.
    ['What are your opening hours?', 'opening-hours', 'en'],
    ['Quels sont vos horaires ?', 'opening-hours', 'fr'],
    ['Où se trouve votre showroom ?', 'showroom', 'fr'],
    ['How do I cancel my order?', 'cancel-order', 'en'],
    ['Quel est le délai de remboursement ?', 'refund-delay', 'fr'],
    ['Do you sell gift cards?', 'gift-cards', 'en'],
    ['Vos lampes sont-elles compatibles LED ?', 'bulbs-led', 'fr'],
    ['Comment me désabonner de la newsletter ?', 'newsletter', 'fr'],
    // Accents left out.
    ['ou est le showroom', 'showroom', 'fr'],
    ['delai de remboursement', 'refund-delay', 'fr'],
    ['ma lampe est arrivee cassee', 'damaged-item', 'fr'],
    ['le paiement est il securise', 'payment-security', 'fr'],
    ['etes vous ouverts le dimanche', 'opening-hours', 'fr'],
    // Typos.
    ['quels sont les delais de livraision', 'delivery-times', 'fr'],
    ['frais de livraision', 'delivery-cost', 'fr'],
    ['rembourssement', 'refund-delay', 'fr'],
    ['horraires', 'opening-hours', 'fr'],
    ['paiment en plusieur fois', 'payment-methods', 'fr'],
    ['waranty', 'warranty', 'en'],
    ['how long is the waranty', 'warranty', 'en'],
    ['ampoulle', 'bulbs-led', 'fr'],
    // SMS style: lower case, no punctuation, abbreviations.
    ['c koi vos horaires', 'opening-hours', 'fr'],
    ['vs livrez en belgique', 'international-delivery', 'fr'],
    ['jpeux payer en 3x', 'payment-methods', 'fr'],
    ['ou est mon colis', 'order-tracking', 'fr'],
    ['stp jveux annuler ma commande', 'cancel-order', 'fr'],
    ['my lamp arrived broken', 'damaged-item', 'en'],
    // French and English mixed: the little words tell the language.
    ['je voudrais un refund', 'refund-delay', 'fr'],
    ['how do I get un remboursement', 'refund-delay', 'en'],
    ['where is my colis', 'order-tracking', 'en'],
    // Between entries: "did you mean", best first.
    ['retour remboursement', 'unsure', 'fr', ['returns', 'refund-delay']],
    ['livraison', 'unsure', 'fr', ['delivery-cost', 'delivery-times']],
    ['commande', 'unsure', 'fr', ['cancel-order', 'order-tracking']],
    ['delivery', 'unsure', 'en', ['delivery-cost', 'delivery-times', 'international-delivery']],
    // Nothing the FAQ is about; the locale comes from the little words when there are some.
    ['quel temps fait-il à Tokyo', 'none', 'fr'],
    ['ok merci', 'none', 'fr'],
    ['merci beaucoup bonne journée', 'none', 'fr'],
    ['the quick brown fox jumps over the lazy dog', 'none', 'en'],
    ['lol', 'none', undefined],
    ['xkcd blorp zzz', 'none', undefined],
    ['😀👍', 'none', undefined],
    ['?!?', 'none', undefined],
    ['', 'none', undefined],
  ];

  for (const [text, expected, locale, candidates] of cases) {
    it(`${JSON.stringify(text)} -> ${expected} (${locale ?? 'no locale'})`, () => {
      const match = demo.match(text);
      const wanted =
        expected === 'none'
          ? `none ${locale ?? '-'}`
          : expected === 'unsure'
            ? `unsure ${locale} ${(candidates ?? []).join(',')}`
            : `answer ${expected} ${locale}`;
      assert.equal(describeMatch(match), wanted);
      if (match.kind === 'answer') {
        assert.ok(match.confidence >= demo.threshold && match.confidence <= 1, `confidence ${match.confidence}`);
      }
      if (match.kind === 'unsure') {
        const confidences = match.candidates.map((candidate) => candidate.confidence);
        assert.ok(
          confidences.every((c) => c >= 0 && c < demo.threshold),
          `confidences ${confidences}`,
        );
        assert.deepEqual(
          confidences,
          [...confidences].sort((a, b) => b - a),
        );
      }
    });
  }

  it('has at least 30 table rows', () => {
    assert.ok(cases.length >= 30, `${cases.length} rows`);
  });

  it('finds every question of the demo FAQ in its own entry and language', () => {
    const misses: string[] = [];
    for (const entry of demoFile.entries) {
      for (const locale of ['fr', 'en'] as const) {
        for (const question of entry.questions[locale]) {
          const got = describeMatch(demo.match(question));
          if (got !== `answer ${entry.id} ${locale}`) misses.push(`${question} -> ${got}`);
        }
      }
    }
    assert.deepEqual(misses, []);
  });

  it('gives a perfect, clearly separated match a confidence of 1', () => {
    const match = demo.match('Quels sont vos horaires ?');
    assert.equal(match.kind, 'answer');
    assert.equal(match.kind === 'answer' && match.confidence, 1);
  });

  it('lowers the confidence for typos and for words the FAQ does not know', () => {
    const exact = demo.match('waranty');
    const withUnknownWord = demo.match('warranty zorglub');
    assert.equal(exact.kind === 'answer' && exact.confidence, 0.75);
    assert.equal(withUnknownWord.kind, 'none', 'one word out of two is not enough');
    const longer = demo.match('warranty garantie zorglub');
    assert.equal(describeMatch(longer), 'answer warranty en');
    assert.ok(longer.kind === 'answer' && longer.confidence < 0.7, 'two thirds of the words at most');
  });

  it('is deterministic', () => {
    for (const text of ['livraison', 'how long is the waranty', 'retour remboursement']) {
      assert.deepEqual(demo.match(text), demo.match(text));
    }
  });

  it('falls back to the preferred locale when the message does not tell', () => {
    assert.equal(describeMatch(demo.match('showroom', 'en')), 'answer showroom en');
    assert.equal(describeMatch(demo.match('showroom', 'fr')), 'answer showroom fr');
    assert.equal(describeMatch(demo.match('lol', 'en')), 'none en');
    assert.equal(describeMatch(demo.match('', 'fr')), 'none fr');
    // The message's own words win over the preference.
    assert.equal(describeMatch(demo.match('ou est le showroom', 'en')), 'answer showroom fr');
    assert.equal(describeMatch(demo.match('ok merci', 'en')), 'none fr');
    assert.equal(describeMatch(demo.match('waranty', 'fr')), 'answer warranty en');
  });

  it('does not throw on odd input, and finds nothing in it', () => {
    const odd = [
      ' ',
      '\n\t',
      '🔥🔥🔥 💡',
      '\u0000\u0007',
      'a'.repeat(10_000),
      `${'horaires'.repeat(1_250)}`,
      'https://example.com/a?b=1',
      '123 456',
      "l'l'l'l'",
    ];
    for (const text of odd) {
      assert.equal(describeMatch(demo.match(text)), 'none -', JSON.stringify(text.slice(0, 20)));
    }
  });

  it('handles a 10 000-character message', () => {
    const repeated = 'Où est mon colis ? '.repeat(600).slice(0, 10_000);
    assert.equal(repeated.length, 10_000);
    assert.equal(describeMatch(demo.match(repeated)), 'answer order-tracking fr');

    let filler = '';
    for (let i = 0; filler.length < 10_000; i++) filler += `mot${i} `;
    const started = performance.now();
    assert.equal(describeMatch(demo.match(`${filler.slice(0, 9_990)} horaires`)), 'none -');
    assert.ok(performance.now() - started < 2_000, 'the query is capped');
  });

  it('uses the threshold of the options, then of the file, then 0.5', () => {
    assert.equal(demo.threshold, 0.5);
    const strict = new FaqIndex(demoFile, { threshold: 0.99 });
    assert.equal(strict.threshold, 0.99);
    const strictMatch = strict.match('how long is the waranty');
    assert.equal(strictMatch.kind, 'unsure');
    assert.equal(strictMatch.kind === 'unsure' && strictMatch.candidates[0]?.entry.id, 'warranty');

    const lenient = new FaqIndex({ ...demoFile, threshold: 0.2 });
    assert.equal(lenient.threshold, 0.2);
    assert.equal(describeMatch(lenient.match('livraison')), 'answer delivery-cost fr');

    const { threshold: _ignored, ...withoutThreshold } = demoFile;
    assert.equal(new FaqIndex(withoutThreshold).threshold, 0.5);
  });

  it('knows its entries', () => {
    assert.equal(demo.size, demoFile.entries.length);
    assert.match(demo.entry('warranty')?.answer.en ?? '', /2-year warranty/);
    assert.equal(demo.entry('no-such-entry'), undefined);
  });

  it('works on a file without keywords nor threshold', () => {
    const file = FaqFile.parse(validFile());
    const index = new FaqIndex(file);
    assert.equal(index.size, 2);
    assert.equal(describeMatch(index.match('quand etes vous ouverts')), 'answer opening-hours fr');
    assert.equal(describeMatch(index.match('return')), 'answer returns en');
  });
});

describe('FAQ file', () => {
  it('accepts the demo FAQ: about 20 entries, 2 to 4 questions per language, short titles', () => {
    assert.ok(demoFile.entries.length >= 20, `${demoFile.entries.length} entries`);
    for (const entry of demoFile.entries) {
      for (const locale of ['fr', 'en'] as const) {
        const count = entry.questions[locale].length;
        assert.ok(count >= 2 && count <= 4, `${entry.id}: ${count} ${locale} questions`);
        assert.ok(entry.title[locale].length <= 20, `${entry.id}: title "${entry.title[locale]}" is long`);
      }
    }
  });

  it('rejects a duplicate id, pointing at the second entry', () => {
    const file = validFile();
    const second = file.entries[1];
    assert.ok(second);
    second.id = 'opening-hours';
    const issues = issuesOf(file);
    assert.deepEqual(
      issues.map((issue) => issue.path),
      ['entries.1.id'],
    );
    assert.match(issues[0]?.message ?? '', /duplicate id "opening-hours"/);
  });

  it('rejects an answer without French', () => {
    const file = validFile();
    const entry: Record<string, unknown> = { ...file.entries[0], answer: { en: 'From 9am to 7pm.' } };
    assert.deepEqual(
      issuesOf({ entries: [entry] }).map((issue) => issue.path),
      ['entries.0.answer.fr'],
    );
    const blank: Record<string, unknown> = { ...file.entries[0], answer: { en: 'From 9am to 7pm.', fr: '  ' } };
    assert.deepEqual(
      issuesOf({ entries: [blank] }).map((issue) => issue.path),
      ['entries.0.answer.fr'],
    );
  });

  it('rejects other mistakes a marketer can make, each at its place', () => {
    const base = validFile().entries[0];
    const cases: Array<[unknown, string]> = [
      [{ entries: [] }, 'entries'],
      [{ threshold: 1.5, entries: [base] }, 'threshold'],
      [{ entries: [{ ...base, id: 'Opening Hours' }] }, 'entries.0.id'],
      [{ entries: [{ ...base, questions: { en: [], fr: ['Quand ?'] } }] }, 'entries.0.questions.en'],
      [{ entries: [{ ...base, title: { en: 'Opening hours', fr: 'x'.repeat(41) } }] }, 'entries.0.title.fr'],
      [{ entries: [{ ...base, anwser: base?.answer }] }, 'entries.0'],
      [{ entries: [{ ...base, title: { en: 'Opening hours' } }] }, 'entries.0.title.fr'],
    ];
    for (const [input, path] of cases) {
      assert.deepEqual(
        issuesOf(input).map((issue) => issue.path),
        [path],
        JSON.stringify(input).slice(0, 120),
      );
    }
  });
});
