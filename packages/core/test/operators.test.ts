/**
 * Operator accounts (table operators, migration 4) on both database back ends:
 * creation with a hashed password, lookups by email whatever its case, and
 * the changes the CLI makes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createOperator,
  type Db,
  findOperatorByEmail,
  getOperator,
  listOperators,
  migrate,
  OperatorExistsError,
  OperatorInputError,
  OperatorNotFoundError,
  operatorCredentialsByEmail,
  operatorCredentialsById,
  PasswordPolicyError,
  setOperatorActive,
  setOperatorPassword,
  updateOperator,
  verifyPassword,
} from '@passerelle/core';
import { DATABASE_BACKENDS, type DatabaseBackend } from '../../../test/support/databases.js';

const PASSWORD = 'a long enough password';

function operatorsSuite({ name, open, skipReason: skip }: DatabaseBackend) {
  describe(`operators on ${name}`, async () => {
    const skipReason = await skip();
    let db: Db;
    let cleanup: () => Promise<void>;
    before(async () => {
      if (skipReason) return;
      ({ db, cleanup } = await open());
      await migrate(db);
    });
    after(async () => {
      if (!skipReason) await cleanup();
    });

    it('creates an operator with defaults, a lower-cased email and no hash in what it returns', {
      skip: skipReason,
    }, async () => {
      const created = await createOperator(db, {
        email: '  Zoe@Example.COM ',
        name: ' Zoé Martin ',
        password: PASSWORD,
      });
      assert.match(created.id, /^op_[0-9a-f]{32}$/);
      assert.deepEqual(
        { ...created, id: undefined, createdAt: undefined },
        {
          id: undefined,
          email: 'zoe@example.com',
          name: 'Zoé Martin',
          role: 'operator',
          team: 'support',
          maxConversations: 3,
          active: true,
          createdAt: undefined,
        },
      );
      assert.ok(created.createdAt instanceof Date && !Number.isNaN(created.createdAt.getTime()), 'createdAt is a date');
      assert.ok(!('passwordHash' in created) && !('password_hash' in created), 'an Operator never carries the hash');
      const { rows } = await db.query<{ password_hash: string }>('select password_hash from operators where id = $1', [
        created.id,
      ]);
      assert.ok(rows[0]?.password_hash.startsWith('scrypt$'), 'the stored password is a scrypt hash');
      assert.ok(!rows[0]?.password_hash.includes(PASSWORD), 'the password is not stored in clear');
    });

    it('refuses a second operator with the same email, whatever its case', { skip: skipReason }, async () => {
      await createOperator(db, { email: 'dup@example.com', name: 'First', password: PASSWORD });
      await assert.rejects(
        createOperator(db, { email: 'DUP@example.com', name: 'Second', password: PASSWORD }),
        (error: unknown) => {
          assert.ok(error instanceof OperatorExistsError, `expected OperatorExistsError, got ${String(error)}`);
          assert.match(error.message, /an operator with the email dup@example\.com already exists/);
          return true;
        },
      );
      assert.equal((await findOperatorByEmail(db, 'dup@example.com'))?.name, 'First');
    });

    it('refuses bad input with a reason, and a short password before writing anything', {
      skip: skipReason,
    }, async () => {
      const base = { email: 'input@example.com', name: 'Input', password: PASSWORD };
      await assert.rejects(createOperator(db, { ...base, email: 'not-an-email' }), OperatorInputError);
      await assert.rejects(createOperator(db, { ...base, name: '   ' }), /name must be 1 to 200 characters/);
      await assert.rejects(
        createOperator(db, { ...base, role: 'admin' as never }),
        /role must be one of operator, manager/,
      );
      await assert.rejects(createOperator(db, { ...base, maxConversations: 0 }), /whole number above 0/);
      await assert.rejects(createOperator(db, { ...base, maxConversations: 2.5 }), OperatorInputError);
      await assert.rejects(createOperator(db, { ...base, password: 'too short' }), PasswordPolicyError);
      assert.equal(await findOperatorByEmail(db, 'input@example.com'), undefined);
    });

    it('finds operators by email (any case) and by id, and lists them by email', { skip: skipReason }, async () => {
      const manager = await createOperator(db, {
        email: 'boss@example.com',
        name: 'Boss',
        role: 'manager',
        team: 'sales',
        maxConversations: 5,
        password: PASSWORD,
      });
      assert.deepEqual(await findOperatorByEmail(db, 'BOSS@example.com '), manager);
      assert.deepEqual(await getOperator(db, manager.id), manager);
      assert.equal(await getOperator(db, 'op_missing'), undefined);
      assert.equal(await findOperatorByEmail(db, 'nobody@example.com'), undefined);
      const listed = await listOperators(db);
      const emails = listed.map((operator) => operator.email);
      assert.deepEqual(emails, [...emails].sort());
      assert.ok(emails.includes('boss@example.com'), 'the list holds the manager');
      assert.deepEqual(
        listed.find((operator) => operator.id === manager.id),
        manager,
      );
    });

    it('gives the login code the hash, and only through the credentials functions', { skip: skipReason }, async () => {
      const created = await createOperator(db, { email: 'creds@example.com', name: 'Creds', password: PASSWORD });
      const byEmail = await operatorCredentialsByEmail(db, 'Creds@Example.com');
      const byId = await operatorCredentialsById(db, created.id);
      assert.deepEqual(byEmail, byId);
      assert.deepEqual(byEmail?.operator, created);
      assert.equal(await verifyPassword(PASSWORD, byEmail?.passwordHash ?? ''), true);
      assert.equal(await operatorCredentialsByEmail(db, 'nobody@example.com'), undefined);
    });

    it('sets a new password: the old one stops working', { skip: skipReason }, async () => {
      await createOperator(db, { email: 'pw@example.com', name: 'Pw', password: PASSWORD });
      const before = await operatorCredentialsByEmail(db, 'pw@example.com');
      await setOperatorPassword(db, 'PW@example.com', 'a brand new password');
      const after = await operatorCredentialsByEmail(db, 'pw@example.com');
      assert.notEqual(after?.passwordHash, before?.passwordHash);
      assert.equal(await verifyPassword('a brand new password', after?.passwordHash ?? ''), true);
      assert.equal(await verifyPassword(PASSWORD, after?.passwordHash ?? ''), false);
      await assert.rejects(setOperatorPassword(db, 'pw@example.com', 'short'), PasswordPolicyError);
      await assert.rejects(setOperatorPassword(db, 'ghost@example.com', 'a brand new password'), OperatorNotFoundError);
    });

    it('deactivates and reactivates an operator', { skip: skipReason }, async () => {
      await createOperator(db, { email: 'leaving@example.com', name: 'Leaving', password: PASSWORD });
      assert.equal((await setOperatorActive(db, 'leaving@example.com', false)).active, false);
      assert.equal((await findOperatorByEmail(db, 'leaving@example.com'))?.active, false);
      assert.equal((await setOperatorActive(db, 'Leaving@example.com', true)).active, true);
      await assert.rejects(
        setOperatorActive(db, 'ghost@example.com', false),
        /no operator with the email ghost@example\.com/,
      );
    });

    it('updates only the fields given, checking them', { skip: skipReason }, async () => {
      const created = await createOperator(db, { email: 'move@example.com', name: 'Move', password: PASSWORD });
      const moved = await updateOperator(db, 'move@example.com', { team: 'billing', maxConversations: 6 });
      assert.deepEqual(moved, { ...created, team: 'billing', maxConversations: 6 });
      const promoted = await updateOperator(db, 'move@example.com', { role: 'manager', name: 'Move Up' });
      assert.deepEqual(promoted, { ...moved, role: 'manager', name: 'Move Up' });
      assert.deepEqual(await updateOperator(db, 'move@example.com', {}), promoted);
      await assert.rejects(updateOperator(db, 'move@example.com', { maxConversations: -1 }), OperatorInputError);
      await assert.rejects(updateOperator(db, 'move@example.com', { role: 'root' as never }), OperatorInputError);
      await assert.rejects(updateOperator(db, 'ghost@example.com', { team: 'x' }), OperatorNotFoundError);
      await assert.rejects(updateOperator(db, 'ghost@example.com', {}), OperatorNotFoundError);
      assert.deepEqual(await findOperatorByEmail(db, 'move@example.com'), promoted);
    });
  });
}

for (const backend of DATABASE_BACKENDS) operatorsSuite(backend);
