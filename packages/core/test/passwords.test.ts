/**
 * Operator password hashing: scrypt with its parameters and a random salt in
 * what is stored, constant-time comparison, and the length policy.
 */
import assert from 'node:assert/strict';
import { randomBytes, scryptSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { checkPasswordPolicy, hashPassword, PasswordPolicyError, verifyPassword } from '@passerelle/core';

const STORED = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

describe('operator passwords', () => {
  it('stores scrypt$N$r$p$salt$hash with at least N=16384 r=8 p=1 and a 16-byte salt', async () => {
    const stored = await hashPassword('correct horse battery');
    const match = STORED.exec(stored);
    assert.ok(match, `unexpected stored format: ${stored}`);
    const [, n, r, p, salt, key] = match;
    assert.ok(Number(n) >= 16384, `N should be at least 16384, is ${n}`);
    assert.ok(Number(r) >= 8, `r should be at least 8, is ${r}`);
    assert.ok(Number(p) >= 1, `p should be at least 1, is ${p}`);
    assert.equal(Buffer.from(salt ?? '', 'base64').length, 16);
    assert.ok(Buffer.from(key ?? '', 'base64').length >= 32, 'the derived key should be at least 32 bytes');
    assert.ok(!stored.includes('correct horse battery'), 'the password must not appear in what is stored');
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse battery');
    assert.equal(await verifyPassword('correct horse battery', stored), true);
    assert.equal(await verifyPassword('correct horse batterY', stored), false);
    assert.equal(await verifyPassword('', stored), false);
  });

  it('salts every hash: the same password twice gives two different hashes, both valid', async () => {
    const [first, second] = await Promise.all([hashPassword('same password'), hashPassword('same password')]);
    assert.notEqual(first, second);
    assert.equal(await verifyPassword('same password', first), true);
    assert.equal(await verifyPassword('same password', second), true);
  });

  it('refuses a password shorter than 10 characters with a PasswordPolicyError that says so', async () => {
    await assert.rejects(hashPassword('short1234'), (error: unknown) => {
      assert.ok(error instanceof PasswordPolicyError, `expected a PasswordPolicyError, got ${String(error)}`);
      assert.match(error.message, /at least 10 characters/);
      return true;
    });
    assert.throws(() => checkPasswordPolicy(''), PasswordPolicyError);
    assert.throws(() => checkPasswordPolicy('x'.repeat(1025)), /too long/);
    // Ten characters is enough, counted as characters, not bytes or UTF-16 units.
    checkPasswordPolicy('0123456789');
    assert.throws(() => checkPasswordPolicy('🔑'.repeat(9)), PasswordPolicyError);
    checkPasswordPolicy('🔑'.repeat(10));
  });

  it('treats composed and decomposed accents as the same password', async () => {
    const composed = 'mot de passe élégant';
    const decomposed = composed.normalize('NFD');
    assert.notEqual(composed, decomposed);
    const stored = await hashPassword(composed);
    assert.equal(await verifyPassword(decomposed, stored), true);
  });

  it('verifies a hash made with other parameters, read from what is stored', async () => {
    const salt = randomBytes(16);
    const key = scryptSync('older parameters', salt, 64, { N: 16384, r: 8, p: 1 });
    const stored = `scrypt$16384$8$1$${salt.toString('base64')}$${key.toString('base64')}`;
    assert.equal(await verifyPassword('older parameters', stored), true);
    assert.equal(await verifyPassword('other password', stored), false);
  });

  it('says false for a tampered hash and throws for a stored value that is not a hash', async () => {
    const stored = await hashPassword('correct horse battery');
    const parts = stored.split('$');
    const key = Buffer.from(parts[5] ?? '', 'base64');
    key[0] = (key[0] ?? 0) ^ 1;
    parts[5] = key.toString('base64');
    assert.equal(await verifyPassword('correct horse battery', parts.join('$')), false);
    for (const corrupt of [
      '',
      'plain text',
      'bcrypt$2b$10$abc',
      'scrypt$16384$8$1$c2FsdA==',
      'scrypt$1073741824$8$1$c2FsdHNhbHQ=$a2V5a2V5a2V5a2V5a2V5a2V5',
    ]) {
      await assert.rejects(verifyPassword('anything at all', corrupt), /scrypt\$N\$r\$p\$salt\$hash/, corrupt);
    }
  });
});
