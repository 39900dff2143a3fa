/**
 * Request bodies are checked against the official swagger copies (schemas/arm) through the
 * schema oracle, like a strict ARM front door: one 400 InvalidRequestContent with a detail per
 * problem, and nothing stored.
 */
import { validateArmRequest, type ArmDefinition } from '../../schemas/validate.js';
import { invalidContent, type ArmErrorDetail } from './errors.js';

/** "/properties/gitRepository/foo" → "properties.gitRepository.foo" (keys that are not identifiers in brackets). */
export function pointerToTarget(pointer: string): string {
  if (pointer === '' || pointer === '/') return '';
  let out = '';
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(key)) out += `[${key}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(key)) out += out === '' ? key : `.${key}`;
    else out += `['${key.replace(/'/g, "\\'")}']`;
  }
  return out;
}

function detailCode(problem: string): string {
  if (problem.includes('read-only property')) return 'ReadOnlyPropertyNotAllowed';
  if (problem.includes('property not allowed')) return 'UnknownProperty';
  if (problem.includes('required property missing')) return 'MissingRequiredProperty';
  if (problem.includes('must be one of')) return 'InvalidEnumValue';
  if (problem.includes('must match pattern')) return 'PatternMismatch';
  if (/: must be [a-z]+( or [a-z]+)* \(got /.test(problem)) return 'InvalidType';
  return 'InvalidValue';
}

export function problemsToDetails(problems: string[]): ArmErrorDetail[] {
  return problems.map((problem) => {
    const colon = problem.indexOf(': ');
    const pointer = colon < 0 ? '/' : problem.slice(0, colon);
    const what = colon < 0 ? problem : problem.slice(colon + 2);
    const target = pointerToTarget(pointer);
    return { code: detailCode(problem), message: target === '' ? `The request body ${what}.` : `'${target}': ${what}.`, target };
  });
}

/** Throws 400 InvalidRequestContent when the body does not satisfy the definition. */
export function validateBody(apiVersion: string, definition: ArmDefinition, body: unknown): void {
  const problems = validateArmRequest(apiVersion, definition, body);
  if (problems.length === 0) return;
  throw invalidContent(
    `The request content is not valid for '${definition}' at api-version '${apiVersion}': ${problems.length} problem${problems.length === 1 ? '' : 's'} (see details).`,
    problemsToDetails(problems),
  );
}

/** Parses a request body as JSON; an empty or malformed body is a 400 as in ARM. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') throw invalidContent('The request content was invalid and could not be deserialized: the body is empty.');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw invalidContent(`The request content was invalid and could not be deserialized: ${(err as Error).message}`);
  }
}

