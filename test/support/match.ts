import assert from 'node:assert/strict';

/** Asserts that actual has every field of expected (recursively); other fields are ignored. */
export function assertMatches(actual: unknown, expected: unknown, path = '$'): void {
  if (expected instanceof RegExp) {
    assert.match(String(actual), expected, `${path} does not match ${expected}`);
    return;
  }
  if (expected && typeof expected === 'object' && !Array.isArray(expected)) {
    assert.ok(actual && typeof actual === 'object', `${path} should be an object, got ${JSON.stringify(actual)}`);
    for (const [key, value] of Object.entries(expected)) {
      assertMatches((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
    }
    return;
  }
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path} should be an array`);
    assert.equal(actual.length, expected.length, `${path} length`);
    for (const [index, value] of expected.entries()) assertMatches(actual[index], value, `${path}[${index}]`);
    return;
  }
  assert.deepEqual(actual, expected, `${path}`);
}
