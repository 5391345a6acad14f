import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, ApiError } from '../api/client';
import { queryKeys } from '../api/queries';
import type { Me } from '../api/types';
import { checkEmail, type FieldErrors } from '../auth/formErrors';
import { useFormErrors } from '../auth/useFormErrors';
import { Field } from '../components/Field';
import { Alert } from '../components/States';

function AuthCard({ title, children, footer }: { title: string; children: ReactNode; footer: ReactNode }) {
  return (
    <div className="auth-page">
      <div className="auth-card">
        <div className="brand brand-large">
          <img src="/favicon.svg" alt="" width="36" height="36" />
          <span>Tollgate</span>
        </div>
        <h1>{title}</h1>
        {children}
        <p className="auth-footer">{footer}</p>
      </div>
    </div>
  );
}

/** Only same-site paths may be returned to after logging in. */
function safeNext(next: string | null, fallback: string): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : fallback;
}

export function LoginPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { formRef, fields, form: formError, check, fail, clear } = useFormErrors(['email', 'password']);
  const login = useMutation({
    mutationFn: () => api<Me>('/api/auth/login', { method: 'POST', body: { email: email.trim(), password } }),
    onSuccess: (me) => {
      queryClient.clear();
      queryClient.setQueryData(queryKeys.me, me);
      navigate(safeNext(params.get('next'), '/usage'), { replace: true });
    },
    onError: fail,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const errors: FieldErrors = {};
    const emailProblem = checkEmail(email);
    if (emailProblem) errors.email = emailProblem;
    if (!password) errors.password = 'Enter your password.';
    if (check(errors)) login.mutate();
  };
  return (
    <AuthCard title="Log in" footer={<>New here? <Link to="/signup">Create an account</Link></>}>
      <form ref={formRef} onSubmit={submit} noValidate aria-label="Log in">
        {formError && <Alert>{formError}</Alert>}
        <Field id="email" label="Email" type="email" autoComplete="email" value={email}
          onChange={(event) => { setEmail(event.target.value); clear('email'); }} error={fields.email} autoFocus />
        <Field id="password" label="Password" type="password" autoComplete="current-password" value={password}
          onChange={(event) => { setPassword(event.target.value); clear('password'); }} error={fields.password} />
        <button type="submit" className="button button-primary button-block" disabled={login.isPending}>
          {login.isPending ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </AuthCard>
  );
}

export function SignupPage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [organization, setOrganization] = useState('');
  // Asked for only once the server says the email is an operator's (the code is in the operator's configuration).
  const [operatorCode, setOperatorCode] = useState<string | null>(null);
  const { formRef, fields, form: formError, check, fail, clear } =
    useFormErrors(['email', 'password', 'organization', 'operatorCode']);
  const signup = useMutation({
    mutationFn: () =>
      api<Me>('/api/auth/signup', {
        method: 'POST',
        body: {
          email: email.trim(),
          password,
          ...(organization.trim() ? { organization: organization.trim() } : {}),
          ...(operatorCode !== null ? { operatorCode } : {}),
        },
      }),
    onSuccess: (me) => {
      queryClient.clear();
      queryClient.setQueryData(queryKeys.me, me);
      navigate('/keys', { replace: true });
    },
    onError: (error) => {
      if (error instanceof ApiError && error.code === 'operator_code_required') {
        setOperatorCode((code) => code ?? '');
      }
      fail(error);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const errors: FieldErrors = {};
    const emailProblem = checkEmail(email);
    if (emailProblem) errors.email = emailProblem;
    if (password.length < 8) errors.password = 'Use at least 8 characters.';
    else if (new TextEncoder().encode(password).length > 72) errors.password = 'Use at most 72 characters (fewer outside ASCII).';
    if (organization.length > 100) errors.organization = 'Use at most 100 characters.';
    if (check(errors)) signup.mutate();
  };
  return (
    <AuthCard title="Create your account" footer={<>Already have an account? <Link to="/login">Log in</Link></>}>
      <form ref={formRef} onSubmit={submit} noValidate aria-label="Sign up">
        {formError && <Alert>{formError}</Alert>}
        <Field id="email" label="Email" type="email" autoComplete="email" value={email}
          onChange={(event) => { setEmail(event.target.value); clear('email'); }} error={fields.email} autoFocus />
        <Field id="password" label="Password" type="password" autoComplete="new-password" value={password}
          onChange={(event) => { setPassword(event.target.value); clear('password'); }} error={fields.password} hint="At least 8 characters." />
        <Field id="organization" label="Organization (optional)" autoComplete="organization" value={organization}
          onChange={(event) => { setOrganization(event.target.value); clear('organization'); }} error={fields.organization} />
        {operatorCode !== null && (
          <Field id="operatorCode" label="Operator code" type="password" autoComplete="off" value={operatorCode}
            onChange={(event) => { setOperatorCode(event.target.value); clear('operatorCode'); }}
            error={fields.operatorCode} hint="The tollgate.operator.signup-code this Tollgate is configured with." />
        )}
        <button type="submit" className="button button-primary button-block" disabled={signup.isPending}>
          {signup.isPending ? 'Creating account…' : 'Create account'}
        </button>
      </form>
    </AuthCard>
  );
}
