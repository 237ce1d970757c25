import type { StandardSchemaV1 } from '@standard-schema/spec';

/** Raised at enqueue (and again in the worker) when a task's input schema refuses the input. */
export class InputValidationError extends TypeError {
  override name = 'InputValidationError';
  constructor(
    message: string,
    readonly issues: readonly StandardSchemaV1.Issue[],
  ) {
    super(message);
  }
}

/** Runs any Standard Schema validator (zod, valibot, arktype, ...) and returns its output value. */
export async function validateInput<Output>(
  schema: StandardSchemaV1<unknown, Output>,
  value: unknown,
  taskName: string,
): Promise<Output> {
  const result = await schema['~standard'].validate(value);
  if (!result.issues) return result.value;
  const details = result.issues.map(describeIssue).join('; ');
  throw new InputValidationError(`Task "${taskName}" input: ${details}`, result.issues);
}

function describeIssue(issue: StandardSchemaV1.Issue): string {
  if (!issue.path?.length) return issue.message;
  const path = issue.path
    .map((segment) => (typeof segment === 'object' ? segment.key : segment))
    .map((key) => (typeof key === 'number' ? `[${key}]` : String(key)))
    .join('.')
    .replaceAll('.[', '[');
  return `"${path}" ${issue.message}`;
}
