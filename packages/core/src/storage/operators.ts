/**
 * The people who answer when the bot hands a conversation over (table
 * `operators`, migration 4). An Operator never carries its password hash;
 * only the login code asks for it, through operatorCredentials*.
 */
import { z } from 'zod';
import { randomId } from '../events/ids.js';
import { hashPassword } from '../security/passwords.js';
import type { Db, Queryable } from './db.js';

export const OPERATOR_ROLES = ['operator', 'manager'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

export interface Operator {
  id: string;
  /** Always lower case. */
  email: string;
  name: string;
  role: OperatorRole;
  team: string;
  /** How many conversations they take at once. */
  maxConversations: number;
  active: boolean;
  createdAt: Date;
}

export interface NewOperator {
  email: string;
  name: string;
  role?: OperatorRole;
  team?: string;
  maxConversations?: number;
  /** In clear; hashed here (and refused by the password policy if too short). */
  password: string;
}

export interface OperatorChanges {
  name?: string;
  role?: OperatorRole;
  team?: string;
  maxConversations?: number;
}

/** For the login code only: the operator and the stored hash to check a password against. */
export interface OperatorCredentials {
  operator: Operator;
  passwordHash: string;
}

/** Creating an operator whose email is taken. */
export class OperatorExistsError extends Error {
  constructor(readonly email: string) {
    super(`an operator with the email ${email} already exists`);
    this.name = 'OperatorExistsError';
  }
}

/** No operator has this email. */
export class OperatorNotFoundError extends Error {
  constructor(readonly email: string) {
    super(`no operator with the email ${email}`);
    this.name = 'OperatorNotFoundError';
  }
}

/** A field of an operator is not acceptable; the message names it. */
export class OperatorInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OperatorInputError';
  }
}

/** Lower case, no surrounding spaces: how emails are stored and looked up. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const emailSchema = z.email();

function validEmail(email: string): string {
  const normalized = normalizeEmail(email);
  if (normalized.length > 254 || !emailSchema.safeParse(normalized).success) {
    throw new OperatorInputError(`not an email address: ${JSON.stringify(email)}`);
  }
  return normalized;
}

function validText(field: string, value: string, max: number): string {
  const trimmed = value.trim();
  if (trimmed.length === 0 || trimmed.length > max) {
    throw new OperatorInputError(`${field} must be 1 to ${max} characters`);
  }
  return trimmed;
}

function validRole(role: string): OperatorRole {
  if (!(OPERATOR_ROLES as readonly string[]).includes(role)) {
    throw new OperatorInputError(`role must be one of ${OPERATOR_ROLES.join(', ')}, not ${JSON.stringify(role)}`);
  }
  return role as OperatorRole;
}

function validMax(max: number): number {
  if (!Number.isInteger(max) || max < 1) {
    throw new OperatorInputError(`the maximum number of conversations must be a whole number above 0, not ${max}`);
  }
  return max;
}

interface OperatorRow {
  id: string;
  email: string;
  name: string;
  role: OperatorRole;
  team: string;
  max_conversations: number;
  active: boolean;
  created_at: Date | string;
  password_hash: string;
}

const COLUMNS = 'id, email, name, role, team, max_conversations, active, created_at';

const toOperator = (row: Omit<OperatorRow, 'password_hash'>): Operator => ({
  id: row.id,
  email: row.email,
  name: row.name,
  role: row.role,
  team: row.team,
  maxConversations: Number(row.max_conversations),
  active: row.active,
  createdAt: new Date(row.created_at),
});

/** Adds an operator. Throws OperatorExistsError when the email is taken (whatever its case). */
export async function createOperator(db: Db, input: NewOperator): Promise<Operator> {
  const email = validEmail(input.email);
  const name = validText('name', input.name, 200);
  const role = validRole(input.role ?? 'operator');
  const team = validText('team', input.team ?? 'support', 100);
  const maxConversations = validMax(input.maxConversations ?? 3);
  const passwordHash = await hashPassword(input.password);
  const { rows } = await db.query<Omit<OperatorRow, 'password_hash'>>(
    `insert into operators (id, email, name, role, team, max_conversations, password_hash)
     values ($1, $2, $3, $4, $5, $6, $7)
     on conflict (email) do nothing
     returning ${COLUMNS}`,
    [randomId('op'), email, name, role, team, maxConversations, passwordHash],
  );
  if (!rows[0]) throw new OperatorExistsError(email);
  return toOperator(rows[0]);
}

export async function findOperatorByEmail(db: Queryable, email: string): Promise<Operator | undefined> {
  const { rows } = await db.query<OperatorRow>(`select ${COLUMNS} from operators where email = $1`, [
    normalizeEmail(email),
  ]);
  return rows[0] && toOperator(rows[0]);
}

export async function getOperator(db: Queryable, id: string): Promise<Operator | undefined> {
  const { rows } = await db.query<OperatorRow>(`select ${COLUMNS} from operators where id = $1`, [id]);
  return rows[0] && toOperator(rows[0]);
}

/** Every operator, active or not, by email. */
export async function listOperators(db: Queryable): Promise<Operator[]> {
  const { rows } = await db.query<OperatorRow>(`select ${COLUMNS} from operators order by email`);
  return rows.map(toOperator);
}

/** For the login: the operator with this email and its password hash. */
export async function operatorCredentialsByEmail(
  db: Queryable,
  email: string,
): Promise<OperatorCredentials | undefined> {
  const { rows } = await db.query<OperatorRow>(`select ${COLUMNS}, password_hash from operators where email = $1`, [
    normalizeEmail(email),
  ]);
  return rows[0] && { operator: toOperator(rows[0]), passwordHash: rows[0].password_hash };
}

/** For console sessions: the operator with this id and its password hash (a new password ends old sessions). */
export async function operatorCredentialsById(db: Queryable, id: string): Promise<OperatorCredentials | undefined> {
  const { rows } = await db.query<OperatorRow>(`select ${COLUMNS}, password_hash from operators where id = $1`, [id]);
  return rows[0] && { operator: toOperator(rows[0]), passwordHash: rows[0].password_hash };
}

/** Sets a new password (policy checked). Throws OperatorNotFoundError for an unknown email. */
export async function setOperatorPassword(db: Db, email: string, password: string): Promise<Operator> {
  const passwordHash = await hashPassword(password);
  return updateRow(db, email, 'password_hash = $2', [passwordHash]);
}

/** A deactivated operator can no longer log in, and their open console sessions stop working. */
export async function setOperatorActive(db: Db, email: string, active: boolean): Promise<Operator> {
  return updateRow(db, email, 'active = $2', [active]);
}

/** Changes only the fields given. Throws OperatorNotFoundError for an unknown email. */
export async function updateOperator(db: Db, email: string, changes: OperatorChanges): Promise<Operator> {
  const sets: string[] = [];
  const params: unknown[] = [];
  const set = (column: string, value: unknown) => {
    params.push(value);
    sets.push(`${column} = $${params.length + 1}`);
  };
  if (changes.name !== undefined) set('name', validText('name', changes.name, 200));
  if (changes.role !== undefined) set('role', validRole(changes.role));
  if (changes.team !== undefined) set('team', validText('team', changes.team, 100));
  if (changes.maxConversations !== undefined) set('max_conversations', validMax(changes.maxConversations));
  if (sets.length === 0) {
    const operator = await findOperatorByEmail(db, email);
    if (!operator) throw new OperatorNotFoundError(normalizeEmail(email));
    return operator;
  }
  return updateRow(db, email, sets.join(', '), params);
}

async function updateRow(db: Db, email: string, assignments: string, params: unknown[]): Promise<Operator> {
  const key = normalizeEmail(email);
  const { rows } = await db.query<OperatorRow>(
    `update operators set ${assignments} where email = $1 returning ${COLUMNS}`,
    [key, ...params],
  );
  if (!rows[0]) throw new OperatorNotFoundError(key);
  return toOperator(rows[0]);
}
