import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '@passerelle/core';

function problemsOf(env: Record<string, string>): Map<string, string> {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return new Map(error.problems.map((p) => [p.variable, p.problem]));
  }
  assert.fail('expected the configuration to be refused');
}

describe('configuration from the environment', () => {
  it('starts with defaults when nothing is set (PGlite, local Redis, port 3000)', () => {
    const config = loadConfig({});
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.redis.url, 'redis://127.0.0.1:6379');
    assert.equal(config.port, 3000);
    assert.equal(config.publicUrl, 'http://localhost:3000');
    assert.equal(config.env.TWILIO_API_URL, 'https://api.twilio.com');
  });

  it('names every bad or missing variable in one error', () => {
    const problems = problemsOf({
      REDIS_URL: 'http://not-redis',
      PORT: 'eighty',
      DATABASE_URL: 'mysql://x',
      TWILIO_ACCOUNT_SID: 'AC123',
      TELEGRAM_MODE: 'carrier-pigeon',
      LOG_LEVEL: 'loud',
      ADMIN_TOKEN: 'short',
    });
    for (const variable of [
      'REDIS_URL',
      'PORT',
      'DATABASE_URL',
      'TWILIO_AUTH_TOKEN',
      'TWILIO_FROM',
      'TELEGRAM_MODE',
      'LOG_LEVEL',
      'ADMIN_TOKEN',
    ]) {
      assert.ok(problems.has(variable), `${variable} should be reported; got ${[...problems.keys()].join(', ')}`);
    }
    assert.match(problems.get('TWILIO_AUTH_TOKEN') ?? '', /TWILIO_ACCOUNT_SID/);
    assert.match(problems.get('TELEGRAM_MODE') ?? '', /webhook, polling/);
  });

  it('never echoes a secret value in its message', () => {
    try {
      loadConfig({ ADMIN_TOKEN: 'hunter2', WEBCHAT_SECRET: 'tiny' });
      assert.fail('expected refusal');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      assert.doesNotMatch(error.message, /hunter2|tiny/);
      assert.match(error.message, /ADMIN_TOKEN/);
      assert.match(error.message, /\.env\.example/);
    }
  });

  it('listens on every interface unless HOST names an address or a host name', () => {
    assert.equal(loadConfig({}).host, undefined);
    assert.equal(loadConfig({ HOST: '' }).host, undefined, 'blank is unset');
    for (const host of ['127.0.0.1', '0.0.0.0', '::1', '::', 'localhost', 'gateway.internal', '10.0.0.7']) {
      assert.equal(loadConfig({ HOST: host }).host, host);
    }
    for (const host of ['127.0.0.1:3000', 'http://localhost', 'two words', '[::1]', '-bad.example']) {
      assert.match(problemsOf({ HOST: host }).get('HOST') ?? '', /IP address .* or a host name/, host);
    }
  });

  it('requires the Telegram webhook secret in webhook mode only', () => {
    assert.ok(problemsOf({ TELEGRAM_BOT_TOKEN: '1:abc' }).has('TELEGRAM_WEBHOOK_SECRET'));
    assert.equal(loadConfig({ TELEGRAM_BOT_TOKEN: '1:abc', TELEGRAM_MODE: 'polling' }).env.TELEGRAM_MODE, 'polling');
  });

  it('treats blank variables as unset, as .env files often leave them', () => {
    const config = loadConfig({ DATABASE_URL: '', TWILIO_ACCOUNT_SID: '  ', PUBLIC_URL: 'https://bot.example.com/' });
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.env.TWILIO_ACCOUNT_SID, undefined);
    assert.equal(config.publicUrl, 'https://bot.example.com');
  });

  it('documents every variable in .env.example, and the example itself is a valid configuration', () => {
    const text = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8');
    const example = Object.fromEntries(
      text
        .split('\n')
        .filter((line) => /^[A-Za-z_]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    for (const variable of CONFIG_VARIABLES)
      assert.ok(variable in example, `.env.example does not mention ${variable}`);
    for (const variable of Object.keys(example)) {
      assert.ok(
        (CONFIG_VARIABLES as string[]).includes(variable),
        `.env.example mentions ${variable}, which nothing reads`,
      );
    }
    assert.equal(loadConfig(example).port, 3000);
  });
});
