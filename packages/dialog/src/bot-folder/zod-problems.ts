import type { z } from 'zod';
import type { PathSegment, Problem, YamlSource } from './yaml-source.js';

/** zod's complaints, each pinned to the line of the value (or the unknown key) it is about. */
export function zodProblems(source: YamlSource, base: readonly PathSegment[], error: z.ZodError): Problem[] {
  const problems: Problem[] = [];
  for (const issue of error.issues) {
    const path = [...base, ...(issue.path as PathSegment[])];
    if (issue.code === 'unrecognized_keys') {
      const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
      for (const key of issue.keys) problems.push(source.problem(path, `${where}unknown field "${key}"`, key));
      continue;
    }
    const { extraPath, message } = readable(issue);
    const full = [...path, ...extraPath];
    const shown = [...issue.path, ...extraPath];
    problems.push(source.problem(full, `${shown.length > 0 ? `${shown.join('.')}: ` : ''}${message}`));
  }
  return problems;
}

function readable(issue: z.core.$ZodIssue): { extraPath: PathSegment[]; message: string } {
  if (issue.code === 'invalid_type' && issue.message.includes('received undefined')) {
    return { extraPath: [], message: 'is required' };
  }
  if (issue.code === 'invalid_union') {
    // The value had the right form for one branch but a wrong detail inside it: that detail is the news.
    const nested = issue.errors.flat().find((inner) => inner.path.length > 0);
    if (nested) return { extraPath: nested.path as PathSegment[], message: nested.message };
    const expected = [...new Set(issue.errors.flat().map((inner) => ('expected' in inner ? inner.expected : '')))];
    const named = expected
      .filter(Boolean)
      .map((kind) => (kind === 'record' ? 'a map (one value per key)' : `a ${kind}`));
    if (named.length > 0) return { extraPath: [], message: `expected ${named.join(' or ')}` };
  }
  return { extraPath: [], message: issue.message.replace(/^Invalid input: /, '') };
}
