import { ApiError } from '../api/client';

export type FieldErrors = Record<string, string>;

export interface FormProblem {
  fields: FieldErrors;
  form: string | null;
}

const FIELD_PROBLEM = /^([A-Za-z][\w.]*): (.+)$/;

/**
 * Splits an API error into per-field messages and a form-level one. Dashboard forms answer 400 with `param` naming the
 * first bad field and a message listing every problem as "field: problem; field: problem".
 */
export function problemFrom(error: unknown, knownFields: string[]): FormProblem {
  if (!(error instanceof ApiError)) {
    return { fields: {}, form: error instanceof Error ? error.message : 'Something went wrong. Try again.' };
  }
  const fields: FieldErrors = {};
  const parts = error.message.split('; ');
  const parsed = parts.map((part) => FIELD_PROBLEM.exec(part));
  if (parsed.every((match) => match && knownFields.includes(match[1] as string))) {
    for (const match of parsed) {
      const [, field, problem] = match as RegExpExecArray;
      fields[field as string] ??= capitalise(problem as string);
    }
    return { fields, form: null };
  }
  if (error.param && knownFields.includes(error.param)) {
    return { fields: { [error.param]: error.message }, form: null };
  }
  return { fields: {}, form: error.message };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1) + (/[.!?]$/.test(text) ? '' : '.');
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

export function checkEmail(value: string): string | null {
  if (!value.trim()) return 'Enter your email address.';
  return EMAIL.test(value.trim()) ? null : 'Enter an email address like ada@example.com.';
}
