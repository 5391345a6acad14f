import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import { checkEmail, problemFrom } from './formErrors';

describe('problemFrom', () => {
  it('spreads a multi-field message over the fields it names', () => {
    const error = new ApiError(400, 'email: must be an email address; password: must be between 8 and 128 characters', 'invalid_value', 'email');
    expect(problemFrom(error, ['email', 'password'])).toEqual({
      fields: { email: 'Must be an email address.', password: 'Must be between 8 and 128 characters.' },
      form: null,
    });
  });

  it('puts a message on the field named by param', () => {
    const error = new ApiError(409, 'An account with this email already exists.', 'email_taken', 'email');
    expect(problemFrom(error, ['email', 'password'])).toEqual({
      fields: { email: 'An account with this email already exists.' },
      form: null,
    });
  });

  it('shows anything else at the form level', () => {
    expect(problemFrom(new ApiError(401, 'Wrong email or password.', 'invalid_credentials'), ['email'])).toEqual({
      fields: {},
      form: 'Wrong email or password.',
    });
    expect(problemFrom(new TypeError('Failed to fetch'), ['email']).form).toBe('Failed to fetch');
  });
});

describe('checkEmail', () => {
  it('asks for an address that looks like one', () => {
    expect(checkEmail('')).toMatch(/Enter your email/);
    expect(checkEmail('ada')).toMatch(/like ada@example.com/);
    expect(checkEmail(' ada@example.com ')).toBeNull();
  });
});
