import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommandMatcher } from '../src/engine/commands.js';

describe('global commands', () => {
  const matcher = new CommandMatcher({ stop: { fr: ['halte'] }, human: { fr: ['un vendeur'] } });
  const cases: Array<[string, ReturnType<CommandMatcher['match']>]> = [
    ['STOP', 'stop'],
    ['Stop.', 'stop'],
    ['stop svp', 'stop'],
    ['Arrêt', 'stop'],
    ['ARRET', 'stop'],
    ['unsubscribe', 'stop'],
    ['me désabonner', 'stop'],
    ['halte', 'stop'],
    ['stop sending me the wrong size', undefined],
    ['START', 'start'],
    ['/start', 'start'],
    ['MENU', 'menu'],
    ['menu please', 'menu'],
    ['recommencer', 'menu'],
    ['?', 'help'],
    ['Aide', 'help'],
    ['aide moi à choisir une lampe', undefined],
    ['Je voudrais parler à un conseiller', 'human'],
    ['Conseiller !', 'human'],
    ['agent please', 'human'],
    ['can I talk to an agent?', 'human'],
    ['I want a human', 'human'],
    ['je veux un vendeur', 'human'],
    ['Pouvez-vous me conseiller une lampe ?', undefined],
    ['quels sont les horaires du service client', undefined],
    ['mon agent immobilier', undefined],
    ['', undefined],
  ];
  for (const [text, expected] of cases) {
    it(`${JSON.stringify(text)} -> ${expected ?? 'no command'}`, () => {
      assert.equal(matcher.match(text), expected);
    });
  }
});
