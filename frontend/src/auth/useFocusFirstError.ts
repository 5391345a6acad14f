import { useEffect, useRef } from 'react';

/** Moves keyboard focus to the first invalid field of the form each time errors appear. */
export function useFocusFirstError(errors: unknown) {
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    const invalid = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    invalid?.focus();
  }, [errors]);
  return formRef;
}
