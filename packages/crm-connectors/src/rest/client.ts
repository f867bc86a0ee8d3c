/**
 * One operation of the settings made into one HTTP call: the path, query and
 * body rendered from the arguments, the credentials added (and renewed once
 * on a 401 when they are an OAuth token), and the answer sorted into what
 * the connectors need: the result, nothing (`not_found`), or a conflict.
 * Retries, time limits and the breaker are the registry's (resilience.ts).
 */
import { ConnectorHttpError } from '../errors.js';
import { requestJson } from '../http.js';
import type { Authenticator } from './auth.js';
import { readPath } from './json-path.js';
import { type OperationName, specOf } from './operations.js';
import type { OperationSettings, RestSettings } from './settings.js';
import {
  type Args,
  bodyStrings,
  type Json,
  lookup,
  MissingArgumentError,
  renderBody,
  renderPath,
  renderQuery,
  variablesOf,
} from './templates.js';

export type Answer = { kind: 'ok'; result: unknown } | { kind: 'nothing' } | { kind: 'conflict' };

export class RestClient {
  private readonly baseUrl: string;

  constructor(
    private readonly settings: RestSettings,
    private readonly auth: Authenticator,
  ) {
    this.baseUrl = settings.base_url.replace(/\/+$/, '');
  }

  operation(name: OperationName): OperationSettings | undefined {
    return (this.settings.operations as Partial<Record<OperationName, OperationSettings>>)[name];
  }

  /** Whether the operation's templates use this argument (e.g. contactId, worth a lookup only then). */
  uses(name: OperationName, argument: string): boolean {
    const operation = this.operation(name);
    return operation ? templatesOf(operation).some((template) => variablesOf(template).includes(argument)) : false;
  }

  async call(name: OperationName, args: Args): Promise<Answer> {
    const operation = this.operation(name);
    if (!operation) throw new Error(`the rest connector has no ${name} operation in bot.yaml`);
    const spec = specOf(name);
    // A read about nobody is not sent: an API ignoring an empty filter would answer everyone's records.
    if (spec.read && !identifies(operation, spec.mustUse, args)) return { kind: 'nothing' };
    let url: string;
    try {
      url = `${this.baseUrl}${renderPath(operation.path, args)}${renderQuery(operation.query ?? {}, args)}`;
    } catch (error) {
      if (error instanceof MissingArgumentError && spec.read) return { kind: 'nothing' };
      throw error instanceof MissingArgumentError ? new Error(`${name}: ${error.message}`) : error;
    }
    const body = operation.body === undefined ? undefined : renderBody(operation.body as Json, args);
    const notFound = operation.not_found ?? spec.notFound ?? [];
    const conflict = operation.conflict ?? spec.conflict ?? [];
    try {
      const response = await this.send(operation, url, body);
      return { kind: 'ok', result: readPath(response, operation.result) };
    } catch (error) {
      if (!(error instanceof ConnectorHttpError)) throw error;
      if (error.status !== undefined && notFound.includes(error.status)) return { kind: 'nothing' };
      if (error.status !== undefined && conflict.includes(error.status)) return { kind: 'conflict' };
      throw new ConnectorHttpError(`${name}: ${error.message}`, error.status, error.retryable, error.retryAfterMs);
    }
  }

  private async send(operation: OperationSettings, url: string, body: unknown): Promise<unknown> {
    for (let attempt = 1; ; attempt++) {
      const credentials = await this.auth.headers();
      try {
        const response = await requestJson({
          method: operation.method,
          url,
          headers: { ...this.settings.headers, ...credentials },
          body,
        });
        return response.body;
      } catch (error) {
        // A 401 means the call was not carried out, so sending it again with a new token is safe.
        const renew = error instanceof ConnectorHttpError && error.status === 401 && attempt === 1;
        if (!renew || !this.auth.refused(credentials)) throw error;
      }
    }
  }
}

function templatesOf(operation: OperationSettings): string[] {
  return [
    operation.path,
    ...Object.values(operation.query ?? {}),
    ...bodyStrings((operation.body ?? {}) as Json).map(({ template }) => template),
  ];
}

/** Each group of identifying arguments the templates use has one with a value. */
function identifies(operation: OperationSettings, mustUse: ReadonlyArray<readonly string[]>, args: Args): boolean {
  const used = new Set(templatesOf(operation).flatMap(variablesOf));
  return mustUse.every((group) =>
    group.filter((name) => used.has(name)).some((name) => lookup(args, name) !== undefined),
  );
}
