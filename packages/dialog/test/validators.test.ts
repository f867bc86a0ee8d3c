import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ValidationContext, ValidatorSpec, validateAnswer, validatorFields } from '../src/flows/validators.js';

// Monday 23 November 2026, 11:00 in Paris.
const NOW = new Date('2026-11-23T10:00:00Z');
const fr: ValidationContext = { locale: 'fr', now: NOW, timeZone: 'Europe/Paris' };
const en: ValidationContext = { locale: 'en', now: NOW, timeZone: 'Europe/Paris' };

/** Either the value (and optionally the display) expected, or a pattern the problem must match. */
type Expect = { value: string | number; display?: string } | { problem: RegExp | string };
type Row = [input: string, ctx: ValidationContext, expected: Expect];

function check(spec: ValidatorSpec, rows: Row[]): void {
  for (const [input, ctx, expected] of rows) {
    const label = `${JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input)} (${ctx.locale}) -> ${
      'value' in expected ? JSON.stringify(expected.value) : `problem ${expected.problem}`
    }`;
    it(label, () => {
      // The spec a test uses must itself be one the schema accepts.
      assert.deepEqual(ValidatorSpec.parse(spec), spec);
      const result = validateAnswer(spec, input, ctx);
      if ('value' in expected) {
        assert.ok(result.ok, `expected a value, got problem: ${result.ok ? '' : result.problem}`);
        assert.equal(result.value, expected.value);
        if (expected.display !== undefined) assert.equal(result.display, expected.display);
      } else {
        assert.ok(!result.ok, `expected a problem, got value ${result.ok ? JSON.stringify(result.value) : ''}`);
        if (typeof expected.problem === 'string') assert.equal(result.problem, expected.problem);
        else assert.match(result.problem, expected.problem);
      }
    });
  }
}

/** A French problem has French words in it; an English one, English words. */
const FRENCH = /\b(Ce|Cette|Merci|Je|Il|C'est|Écrivez)\b/;
const ENGLISH = /\b(That|Please|I|That's)\b/;

describe('email validator', () => {
  check({ type: 'email' }, [
    ['jean@exemple.fr', fr, { value: 'jean@exemple.fr', display: 'jean@exemple.fr' }],
    ['  Jean.Dupont@Exemple.FR ', fr, { value: 'Jean.Dupont@exemple.fr' }],
    ['jean@exemple.fr.', en, { value: 'jean@exemple.fr' }],
    ['<anne+shop@mail.example.com>', en, { value: 'anne+shop@mail.example.com' }],
    ['jean@exemple', fr, { problem: 'Cette adresse e-mail ne semble pas valide. Exemple : nom@exemple.fr.' }],
    ['jean@@exemple.fr', en, { problem: "That doesn't look like a valid email address. Example: name@example.com." }],
    ['jean dupont@exemple.fr', fr, { problem: /^Cette adresse e-mail/ }],
    ['', en, { problem: /^That doesn't look like a valid email/ }],
    ['mon e-mail : jean@exemple.fr', fr, { problem: /^Cette adresse e-mail/ }],
  ]);
});

describe('phone validator', () => {
  check({ type: 'phone' }, [
    ['06 12 34 56 78', fr, { value: '+33612345678', display: '+33 6 12 34 56 78' }],
    ['0612345678', en, { value: '+33612345678' }],
    ['+33 6 12 34 56 78', fr, { value: '+33612345678' }],
    ['0033 6 12 34 56 78', fr, { value: '+33612345678' }],
    ['01 23 45 67 89', fr, { value: '+33123456789', display: '+33 1 23 45 67 89' }],
    ['+44 7911 123456', en, { value: '+447911123456', display: '+44 7911 123456' }],
    ['06 12 34 56 7', fr, { problem: 'Ce numéro ne semble pas valide. Exemple : 06 12 34 56 78.' }],
    ['call me maybe', en, { problem: "That doesn't look like a valid phone number. Example: 06 12 34 56 78." }],
    ['', fr, { problem: /^Ce numéro/ }],
  ]);
  check({ type: 'phone', region: 'BE' }, [
    ['0470 12 34 56', fr, { value: '+32470123456', display: '+32 470 12 34 56' }],
    ['06 12 34 56 78', fr, { problem: /^Ce numéro ne semble pas valide\. Exemple : 04\d\d/ }],
    ['+33 6 12 34 56 78', en, { value: '+33612345678' }],
  ]);
});

describe('pattern validator', () => {
  const orderNumber: ValidatorSpec = { type: 'pattern', pattern: '^ML-?\\d{5}$', example: 'ML-10234' };
  check(orderNumber, [
    ['ml-10234', fr, { value: 'ML-10234', display: 'ML-10234' }],
    ['  ML10234 ', en, { value: 'ML10234' }],
    ['ML-1023', fr, { problem: "Ce format n'est pas reconnu. Exemple : ML-10234." }],
    ['ML-10234', en, { value: 'ML-10234' }],
    ['ml 10234', en, { problem: "That doesn't match the expected format. Example: ML-10234." }],
    ['', fr, { problem: /Exemple : ML-10234\.$/ }],
  ]);
  // No anchors in the pattern: the whole answer must match all the same.
  check({ type: 'pattern', pattern: '\\d{5}' }, [
    ['12345', en, { value: '12345' }],
    ['n° 12345 merci', fr, { problem: "Ce format n'est pas reconnu. Pouvez-vous vérifier et réessayer ?" }],
    ['123456', en, { problem: "That doesn't match the expected format. Could you check it and try again?" }],
    ['1'.repeat(10_000), en, { problem: /^That doesn't match/ }],
  ]);
  check({ type: 'pattern', pattern: '[a-z]+', normalise: 'none' }, [
    ['abc', fr, { value: 'abc' }],
    ['ABC', fr, { problem: /^Ce format/ }],
  ]);
  check({ type: 'pattern', pattern: '[a-z]+', normalise: 'lower' }, [['ABC', fr, { value: 'abc' }]]);
  check({ type: 'pattern', pattern: 'fr\\d{2}', flags: 'i', normalise: 'none' }, [['Fr75', en, { value: 'Fr75' }]]);
});

describe('date validator', () => {
  check({ type: 'date' }, [
    ['25/12/2026', fr, { value: '2026-12-25', display: 'vendredi 25 décembre 2026' }],
    ['25/12', fr, { value: '2026-12-25' }],
    ['25.12.26', fr, { value: '2026-12-25' }],
    ['2026-12-25', en, { value: '2026-12-25', display: 'Friday, December 25, 2026' }],
    ['demain', fr, { value: '2026-11-24', display: 'mardi 24 novembre 2026' }],
    ['après-demain', fr, { value: '2026-11-25' }],
    ['lundi prochain', fr, { value: '2026-11-30' }],
    ['le 3 décembre', fr, { value: '2026-12-03', display: 'jeudi 3 décembre 2026' }],
    ['le 5 janvier', fr, { value: '2027-01-05' }],
    ['vendredi', fr, { value: '2026-11-27' }],
    ['tomorrow', en, { value: '2026-11-24', display: 'Tuesday, November 24, 2026' }],
    ['the day after tomorrow', en, { value: '2026-11-25' }],
    ['next friday', en, { value: '2026-12-04' }],
    ['friday', en, { value: '2026-11-27' }],
    ['December 3', en, { value: '2026-12-03', display: 'Thursday, December 3, 2026' }],
    // Day/month in English too; month/day only when it cannot be anything else.
    ['05/01/2027', en, { value: '2027-01-05' }],
    ['12/25/2026', en, { value: '2026-12-25' }],
    ['12/25/2026', fr, { problem: "Cette date n'existe pas. Écrivez-la jour/mois/année, par exemple 25/12/2026." }],
    ['31/02/2027', en, { problem: "That date doesn't exist. Please write it day/month/year, for example 25/12/2026." }],
    ['29/02', fr, { value: '2028-02-29' }],
    // A customer on a French conversation may still answer in English, and the other way round.
    ['tomorrow', fr, { value: '2026-11-24', display: 'mardi 24 novembre 2026' }],
    ['demain', en, { value: '2026-11-24', display: 'Tuesday, November 24, 2026' }],
    ["n'importe quand", fr, { problem: /^Je n'ai pas compris cette date\. .*25\/12\/2026/ }],
    ['banana', en, { problem: /^I didn't understand that date\. .*day\/month\/year/ }],
    ['15h', fr, { problem: /^Je n'ai pas compris cette date/ }],
    ['', en, { problem: /^I didn't understand that date/ }],
  ]);
  check({ type: 'date', future: true }, [
    ['3/01', fr, { value: '2027-01-03' }],
    ['23/11', fr, { value: '2026-11-23' }],
    ["aujourd'hui", fr, { value: '2026-11-23' }],
    ['hier', fr, { problem: "Cette date est déjà passée. Merci d'indiquer une date à partir d'aujourd'hui." }],
    ['22/11/2026', en, { problem: 'That date has already passed. Please give a date from today onwards.' }],
  ]);
  check({ type: 'date', past: true }, [
    ['3/01', fr, { value: '2026-01-03' }],
    ['25/12', en, { value: '2025-12-25' }],
    ['03/05/85', fr, { value: '1985-05-03' }],
    ['lundi dernier', fr, { value: '2026-11-16' }],
    ['vendredi', fr, { value: '2026-11-20' }],
    ['le 3 décembre', fr, { value: '2025-12-03' }],
    ['hier', fr, { value: '2026-11-22' }],
    ['tomorrow', en, { problem: "That date is in the future. Please give today's date or an earlier one." }],
    ['25/12/2026', fr, { problem: /^Cette date est dans le futur\./ }],
  ]);
  check({ type: 'date', future: true, maxDaysAhead: 14 }, [
    ['7/12', fr, { value: '2026-12-07' }],
    [
      '8/12',
      fr,
      { problem: "Cette date est trop lointaine : au plus tard le lundi 7 décembre 2026, s'il vous plaît." },
    ],
    ['25/12', en, { problem: 'That date is too far ahead: Monday, December 7, 2026 at the latest, please.' }],
  ]);

  it('reckons "today" in ctx.timeZone, not in UTC nor in the server zone', () => {
    // 23:30 UTC on the 23rd is already 00:30 on the 24th in Paris, still 18:30 on the 23rd in New York.
    const late = new Date('2026-11-23T23:30:00Z');
    const paris = validateAnswer({ type: 'date' }, 'demain', { locale: 'fr', now: late, timeZone: 'Europe/Paris' });
    const newYork = validateAnswer({ type: 'date' }, 'demain', {
      locale: 'fr',
      now: late,
      timeZone: 'America/New_York',
    });
    assert.deepEqual(paris, { ok: true, value: '2026-11-25', display: 'mercredi 25 novembre 2026' });
    assert.deepEqual(newYork, { ok: true, value: '2026-11-24', display: 'mardi 24 novembre 2026' });
    const future = validateAnswer({ type: 'date', future: true }, '24/11', {
      locale: 'en',
      now: late,
      timeZone: 'Pacific/Kiritimati', // UTC+14: already the 24th
    });
    assert.deepEqual(future, { ok: true, value: '2026-11-24', display: 'Tuesday, November 24, 2026' });
  });
});

describe('number validator', () => {
  check({ type: 'number' }, [
    ['3', fr, { value: 3, display: '3' }],
    ['3,5', fr, { value: 3.5, display: '3,5' }],
    ['3,5', en, { value: 3.5, display: '3.5' }],
    ['3.5', fr, { value: 3.5, display: '3,5' }],
    [' 12 ', en, { value: 12 }],
    ['1 000', fr, { value: 1000, display: '1\u202f000' }],
    ['1\u00a0000,25', fr, { value: 1000.25 }],
    ['1,000', en, { value: 1000, display: '1,000' }],
    ['1,000', fr, { value: 1 }],
    ['-4', en, { value: -4 }],
    ['deux', fr, { value: 2 }],
    ['Une.', fr, { value: 1 }],
    ['Seven', en, { value: 7 }],
    ['zéro', fr, { value: 0 }],
    ['1 2', fr, { problem: "Merci d'indiquer un nombre, par exemple 3." }],
    ['1e5', en, { problem: 'Please give a number, for example 3.' }],
    ['', fr, { problem: /^Merci d'indiquer un nombre/ }],
    ['trois pommes', fr, { problem: /^Merci d'indiquer un nombre/ }],
  ]);
  check({ type: 'number', min: 1, max: 10, integer: true }, [
    ['10', fr, { value: 10 }],
    ['dix', fr, { value: 10 }],
    ['0', fr, { problem: "C'est trop peu : indiquez un nombre entier entre 1 et 10." }],
    ['11', en, { problem: "That's too high: please give a whole number between 1 and 10." }],
    ['2,5', fr, { problem: 'Il faut un nombre entier, sans virgule : un nombre entier entre 1 et 10.' }],
    ['2.5', en, { problem: 'That needs to be a whole number: please give a whole number between 1 and 10.' }],
    ['beaucoup', fr, { problem: "Merci d'indiquer un nombre entier entre 1 et 10." }],
  ]);
  check({ type: 'number', min: 0.5 }, [
    ['0,4', fr, { problem: "C'est trop peu : indiquez un nombre supérieur ou égal à 0,5." }],
    ['0.4', en, { problem: "That's too low: please give a number of at least 0.5." }],
  ]);
  check({ type: 'number', max: 1000 }, [
    ['1 001', fr, { problem: "C'est trop : indiquez un nombre inférieur ou égal à 1\u202f000." }],
    ['1,001', en, { problem: "That's too high: please give a number of at most 1,000." }],
  ]);
});

describe('text validator', () => {
  check({ type: 'text' }, [
    ['  Le colis est abîmé  ', fr, { value: 'Le colis est abîmé', display: 'Le colis est abîmé' }],
    ['😀', en, { value: '😀' }],
    ['x'.repeat(10_000), en, { value: 'x'.repeat(10_000) }],
    ['', fr, { problem: "Merci d'écrire une réponse." }],
    [' \n\t ', en, { problem: 'Please type an answer.' }],
  ]);
  check({ type: 'text', minLength: 5, maxLength: 3000 }, [
    ['abc', fr, { problem: "C'est un peu court : au moins 5 caractères, s'il vous plaît." }],
    ['abcd ', en, { problem: "That's a bit short: please write at least 5 characters." }],
    ['x'.repeat(3001), fr, { problem: "C'est trop long : 3000 caractères au maximum, s'il vous plaît." }],
  ]);
  check({ type: 'text', maxLength: 3 }, [
    ['😀😀😀', en, { value: '😀😀😀' }],
    ['😀😀😀😀', en, { problem: "That's too long: please keep it to 3 characters at most." }],
  ]);
});

describe('problems speak the conversation language', () => {
  const specs: ValidatorSpec[] = [
    { type: 'email' },
    { type: 'phone' },
    { type: 'pattern', pattern: '\\d+' },
    { type: 'date' },
    { type: 'number' },
    { type: 'text' },
  ];
  for (const spec of specs) {
    it(`${spec.type}: French for fr, English for en`, () => {
      const french = validateAnswer(spec, '', fr);
      const english = validateAnswer(spec, '', en);
      assert.ok(!french.ok && !english.ok);
      assert.match(french.problem, FRENCH);
      assert.doesNotMatch(french.problem, ENGLISH);
      assert.match(english.problem, ENGLISH);
      assert.doesNotMatch(english.problem, FRENCH);
    });
  }
});

describe('never throws', () => {
  const specs: ValidatorSpec[] = [
    { type: 'email' },
    { type: 'phone', region: 'FR' },
    { type: 'pattern', pattern: '^ML-?\\d{5}$', example: 'ML-10234' },
    { type: 'date', future: true, maxDaysAhead: 30 },
    { type: 'number', min: 1, max: 10 },
    { type: 'text', maxLength: 100 },
  ];
  const inputs = [
    '',
    ' ',
    '😀🎉👍🏽',
    '\u0000\uD800',
    '9'.repeat(10_000),
    'é'.repeat(10_000),
    '25/12/2026 '.repeat(1000),
    '@'.repeat(500),
    '+'.repeat(300) + '33',
    '((((',
    '1e999',
    '99/99/9999',
    '0000-00-00',
  ];
  for (const spec of specs) {
    it(`${spec.type} answers every odd input with a Validation`, () => {
      for (const input of inputs) {
        for (const ctx of [fr, en]) {
          const result = validateAnswer(spec, input, ctx);
          if (result.ok) assert.ok(typeof result.value === 'string' || Number.isFinite(result.value));
          else assert.ok(result.problem.length > 0, `empty problem for ${spec.type} on ${input.slice(0, 20)}`);
        }
      }
    });
  }

  it('a spec that skipped the schema or a broken context still gets a sentence', () => {
    const badRegex = validateAnswer({ type: 'pattern', pattern: '(' }, 'x', fr);
    assert.equal(badRegex.ok, false);
    const badZone = validateAnswer({ type: 'date' }, 'demain', { ...fr, timeZone: 'Mars/Olympus' });
    assert.deepEqual(badZone, { ok: true, value: '2026-11-24', display: 'mardi 24 novembre 2026' });
    const badNow = validateAnswer({ type: 'date' }, 'demain', { ...en, now: new Date(Number.NaN) });
    assert.deepEqual(badNow, { ok: false, problem: "I couldn't make sense of that answer. Could you rephrase it?" });
  });
});

describe('ValidatorSpec schema', () => {
  it('accepts the specs a flow author writes', () => {
    const specs = [
      { type: 'email' },
      { type: 'phone', region: 'BE' },
      { type: 'pattern', pattern: '^ML-?\\d{5}$', flags: 'i', example: 'ML-10234', normalise: 'none' },
      { type: 'date', future: true, maxDaysAhead: 60 },
      { type: 'number', min: 1, max: 10, integer: true },
      { type: 'text', minLength: 2, maxLength: 500 },
    ];
    for (const spec of specs) assert.deepEqual(ValidatorSpec.parse(spec), spec);
  });

  const rejected: Array<[label: string, spec: unknown, message: RegExp]> = [
    ['an unknown option', { type: 'email', lowercase: true }, /lowercase/],
    ['a misspelt option', { type: 'number', minimum: 1 }, /minimum/],
    ['a misspelt pattern option', { type: 'pattern', pattern: 'x', exemple: 'x' }, /exemple/],
    ['an unknown type', { type: 'choice' }, /type/],
    ['a bad regex, naming it', { type: 'pattern', pattern: '^ML-(\\d{5}$' }, /\/\^ML-\(\\d\{5\}\$\//],
    ['a regex broken only outside its wrapper', { type: 'pattern', pattern: 'a)|(b' }, /\/a\)\|\(b\//],
    ['stateful flags', { type: 'pattern', pattern: 'x', flags: 'g' }, /flags/],
    ['an example the pattern refuses', { type: 'pattern', pattern: '^ML-\\d{5}$', example: 'ML-1' }, /ML-1/],
    ['an unknown phone region', { type: 'phone', region: 'XX' }, /XX/],
    ['a lower-case phone region', { type: 'phone', region: 'fr' }, /'fr'/],
    ['both future and past', { type: 'date', future: true, past: true }, /future and past/],
    ['a negative maxDaysAhead', { type: 'date', maxDaysAhead: -1 }, /maxDaysAhead/],
    ['min above max', { type: 'number', min: 10, max: 1 }, /below min/],
    ['minLength above maxLength', { type: 'text', minLength: 10, maxLength: 5 }, /below minLength/],
    ['a missing pattern', { type: 'pattern' }, /pattern/],
  ];
  for (const [label, spec, message] of rejected) {
    it(`rejects ${label}`, () => {
      const result = ValidatorSpec.safeParse(spec);
      assert.equal(result.success, false);
      const text = result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('\n') ?? '';
      assert.match(text, message);
    });
  }

  it('no validator offers fields: templates use the variable itself', () => {
    const specs: ValidatorSpec[] = [
      { type: 'email' },
      { type: 'phone' },
      { type: 'pattern', pattern: 'x' },
      { type: 'date' },
      { type: 'number' },
      { type: 'text' },
    ];
    for (const spec of specs) assert.deepEqual(validatorFields(spec), []);
  });
});
