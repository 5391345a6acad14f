import { useCallback, useEffect, useRef, useState } from 'react';
import { problemFrom, type FieldErrors } from './formErrors';

/**
 * A form's error state: per-field messages, a form-level message, and keyboard focus moved to the first invalid field
 * after each failed submit (not while the person types). Editing a field clears its message.
 */
export function useFormErrors(knownFields: string[]) {
  const formRef = useRef<HTMLFormElement>(null);
  const [fields, setFields] = useState<FieldErrors>({});
  const [form, setForm] = useState<string | null>(null);
  const [attempts, setAttempts] = useState(0);
  const known = useRef(knownFields);

  useEffect(() => {
    if (attempts > 0) formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [attempts]);

  /** Shows the client-side check's result; true when the form may be sent. */
  const check = useCallback((errors: FieldErrors): boolean => {
    setFields(errors);
    setForm(null);
    const ok = Object.keys(errors).length === 0;
    if (!ok) setAttempts((n) => n + 1);
    return ok;
  }, []);

  /** Shows what the API answered, on its fields when it names them. */
  const fail = useCallback((error: unknown) => {
    const problem = problemFrom(error, known.current);
    setFields(problem.fields);
    setForm(problem.form);
    setAttempts((n) => n + 1);
  }, []);

  const clear = useCallback((name: string) => {
    setFields((current) => {
      if (!(name in current)) return current;
      const { [name]: _removed, ...rest } = current;
      return rest;
    });
  }, []);

  return { formRef, fields, form, check, fail, clear };
}
