/**
 * Operator passwords, hashed with scrypt (memory-hard, in Node's core: no
 * native add-on to build). What is stored carries its own parameters and
 * salt, "scrypt$N$r$p$saltB64$hashB64", so the cost can be raised later
 * without breaking the hashes already stored.
 */
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

export const PASSWORD_MIN_LENGTH = 10;
/** A bound on what is hashed, so a megabyte "password" costs nothing special. */
export const PASSWORD_MAX_LENGTH = 1024;

/** N = 2^15 (32 MiB per hash, about 0.1 s), r = 8, p = 1: above the 2^14 floor. */
const COST = { N: 2 ** 15, r: 8, p: 1 } as const;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
const STORED = /^scrypt\$(\d{1,8})\$(\d{1,3})\$(\d{1,3})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

/** The password does not meet the policy; the message says what to change. */
export class PasswordPolicyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PasswordPolicyError';
  }
}

/** Throws a PasswordPolicyError when the password cannot be used. */
export function checkPasswordPolicy(password: string): void {
  const length = [...normalize(password)].length;
  if (length < PASSWORD_MIN_LENGTH) {
    throw new PasswordPolicyError(
      `the password is too short: at least ${PASSWORD_MIN_LENGTH} characters, it has ${length}`,
    );
  }
  if (length > PASSWORD_MAX_LENGTH) {
    throw new PasswordPolicyError(`the password is too long: at most ${PASSWORD_MAX_LENGTH} characters`);
  }
}

/** A new salted hash of the password, to store; refuses a password the policy does not allow. */
export async function hashPassword(password: string): Promise<string> {
  checkPasswordPolicy(password);
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(normalize(password), salt, KEY_BYTES, COST);
  return `scrypt$${COST.N}$${COST.r}$${COST.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/**
 * Whether the password matches a stored hash, compared in constant time. No
 * policy here: a login only asks "is it the same?". A stored value that is not
 * a hash this module wrote throws, since it means corrupt data, not a wrong password.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const { cost, salt, key } = parseStored(stored);
  const candidate = await derive(normalize(password), salt, key.length, cost);
  return timingSafeEqual(candidate, key);
}

interface Cost {
  N: number;
  r: number;
  p: number;
}

function parseStored(stored: string): { cost: Cost; salt: Buffer; key: Buffer } {
  const match = STORED.exec(stored);
  const [, n, r, p, salt, key] = match ?? [];
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  const saltBytes = Buffer.from(salt ?? '', 'base64');
  const keyBytes = Buffer.from(key ?? '', 'base64');
  const sane =
    match &&
    // A power of two between 2^10 and 2^20: a corrupt row must not make us allocate gigabytes.
    cost.N >= 2 ** 10 &&
    cost.N <= 2 ** 20 &&
    (cost.N & (cost.N - 1)) === 0 &&
    cost.r >= 1 &&
    cost.r <= 32 &&
    cost.p >= 1 &&
    cost.p <= 16 &&
    saltBytes.length >= 8 &&
    keyBytes.length >= 16 &&
    keyBytes.length <= 128;
  if (!sane) throw new Error('the stored password hash is not in the "scrypt$N$r$p$salt$hash" format');
  return { cost, salt: saltBytes, key: keyBytes };
}

/** The same password typed on two systems (composed or decomposed accents) gives the same hash. */
function normalize(password: string): string {
  return password.normalize('NFKC');
}

function derive(password: string, salt: Buffer, length: number, cost: Cost): Promise<Buffer> {
  // scrypt needs 128 * N * r * p bytes; Node's default cap (32 MiB) is just too small for N = 2^15.
  const options: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r * cost.p };
  return new Promise((resolve, reject) => {
    scrypt(password, salt, length, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}
