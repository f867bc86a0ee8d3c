/**
 * Where a value is in an API's answer: `$.order`, `$.items[0]`, or relative
 * to the result, `customer.email`, `lines[0].title`. Hand-written (a handful
 * of lines) rather than a JSONPath library: names and indexes are all a
 * mapping needs, and a smaller language is a clearer error when mistyped.
 */

const STEP = /\.([^.[\]]+)|\[(\d+)\]/y;

/** The steps of a path, or undefined when it is not `$`, `$.a.b[0]` or `a.b[0]`. */
function stepsOf(path: string): Array<string | number> | undefined {
  const text = path.startsWith('$') ? path.slice(1) : `.${path}`;
  const steps: Array<string | number> = [];
  STEP.lastIndex = 0;
  while (STEP.lastIndex < text.length) {
    const match = STEP.exec(text);
    if (!match) return undefined;
    steps.push(match[1] ?? Number(match[2]));
  }
  return steps;
}

export function pathProblem(path: string): string | undefined {
  return stepsOf(path) ? undefined : `"${path}" is not a path like $.order, $.items[0] or customer.email`;
}

export function readPath(value: unknown, path: string): unknown {
  const steps = stepsOf(path);
  if (!steps) return undefined;
  let current = value;
  for (const step of steps) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[step];
  }
  return current;
}
