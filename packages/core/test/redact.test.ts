import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger, maskPhone, maskPhonesInText } from '@passerelle/core';

function captureLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(chunk.toString());
      callback();
    },
  });
  return { logger: createLogger({ level: 'info', destination }), lines };
}

describe('log redaction', () => {
  it('masks phone numbers in every shape we meet', () => {
    const cases: Array<[string, string]> = [
      ['+33612345678', '+33612345678'],
      ['whatsapp:+15551234567', '+15551234567'],
      ['33612345678@c.us', '33612345678'],
      ['06 12 34 56 78', '06 12 34 56 78'],
      ['+1-555-123-4567', '+1-555-123-4567'],
    ];
    for (const [text, number] of cases) {
      const masked = maskPhonesInText(`from ${text} today`);
      assert.ok(!masked.includes(number), `${text} should be masked, got ${masked}`);
      assert.match(masked, /•/);
    }
  });

  it('leaves dates, times and short numbers alone', () => {
    for (const text of ['2026-11-23', 'order 12345', '10:30', 'in_4f2a9c']) {
      assert.equal(maskPhonesInText(text), text);
    }
  });

  it('keeps enough of a number to tell two apart', () => {
    assert.equal(maskPhone('+33612345678'), '+33•••••••78');
  });

  it('never writes a secret or a full phone number to a log line', () => {
    const { logger, lines } = captureLogger();
    logger.info(
      {
        sender: { id: '+33612345678', phone: '+33612345678' },
        headers: { authorization: 'Bearer abc.def', 'x-twilio-signature': 'sig==' },
        config: { TWILIO_AUTH_TOKEN: 'tok_secret_value', MicrosoftAppPassword: 'p@ss' },
      },
      'message from +33612345678',
    );
    logger.error({ err: new Error('no route to +33612345678') }, 'failed');
    const output = lines.join('');
    for (const secret of ['+33612345678', 'abc.def', 'sig==', 'tok_secret_value', 'p@ss']) {
      assert.ok(!output.includes(secret), `log output contains ${secret}: ${output}`);
    }
    assert.match(output, /\[redacted\]/);
    assert.match(output, /"msg":"message from \+33•+78"/);
  });
});
