/** Shared assertions of the schema tests. */
import { deepStrictEqual } from "node:assert/strict";
import { type FieldError, validateAgainstSchema } from "../../../src/sim/apiserver/schema/validation.ts";

export { deepStrictEqual as assertEquals };

/** Validates a plain value (not a resource root) with pruning and defaulting on. */
export function validate(schema: Record<string, unknown>, value: unknown): { value: unknown; errors: FieldError[] } {
  return validateAgainstSchema(schema, value, { resourceRoot: false });
}

/** Only the errors of `validate`. */
export function errorsOf(schema: Record<string, unknown>, value: unknown): FieldError[] {
  return validate(schema, value).errors;
}

/** Expected error: every given property must match (strings exactly, RegExps by test). */
export interface ExpectedError {
  type?: string;
  field?: string;
  message?: string | RegExp;
}

/** Asserts the errors match the expectations one by one, in order, with a readable failure message. */
export function assertErrors(actual: FieldError[], expected: ExpectedError[]): void {
  const show = () => `\nactual:   ${JSON.stringify(actual, null, 1)}\nexpected: ${String(JSON.stringify(expected))}`;
  if (actual.length !== expected.length) {
    throw new Error(`expected ${expected.length} errors, got ${actual.length}${show()}`);
  }
  expected.forEach((e, i) => {
    const a = actual[i];
    if (e.type !== undefined && a.type !== e.type) throw new Error(`error ${i}: type ${a.type} != ${e.type}${show()}`);
    if (e.field !== undefined && a.field !== e.field) {
      throw new Error(`error ${i}: field ${a.field} != ${e.field}${show()}`);
    }
    if (e.message instanceof RegExp ? !e.message.test(a.message) : e.message !== undefined && a.message !== e.message) {
      throw new Error(`error ${i}: message ${JSON.stringify(a.message)} does not match ${e.message}${show()}`);
    }
  });
}
