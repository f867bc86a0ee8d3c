/**
 * From an operation's result to our fields: one item, or each item of a
 * list. An item without a required field (an order without a status) is an
 * error for a single read, since the map is wrong or the API changed; in a
 * list it is left out and logged, so one odd record does not hide the rest.
 */
import type { Logger } from '@passerelle/core';
import type { RestClient } from './client.js';
import { type Mapped, mapItem } from './mapping.js';
import { type OperationName, specOf } from './operations.js';

export class AnswerShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnswerShapeError';
  }
}

export function readItem(client: RestClient, name: OperationName, item: unknown): Mapped {
  const operation = client.operation(name);
  if (!operation) throw new Error(`the rest connector has no ${name} operation in bot.yaml`);
  const spec = specOf(name);
  const mapped = mapItem(item, operation, spec);
  const missing = spec.required.find((field) => mapped[field] === undefined);
  if (missing !== undefined) {
    throw new AnswerShapeError(`${name}: the answer has no ${missing} at ${operation.map[missing]} (map.${missing})`);
  }
  return mapped;
}

export function readItems(
  client: RestClient,
  name: OperationName,
  result: unknown,
  logger: Logger | undefined,
): Mapped[] {
  if (result === undefined || result === null) return [];
  if (!Array.isArray(result)) {
    throw new AnswerShapeError(`${name}: the result is not a list (${client.operation(name)?.result})`);
  }
  const items: Mapped[] = [];
  for (const item of result) {
    try {
      items.push(readItem(client, name, item));
    } catch (error) {
      if (!(error instanceof AnswerShapeError)) throw error;
      logger?.warn({ operation: name, problem: error.message }, 'rest connector: an item of the answer was left out');
    }
  }
  return items;
}
