import type { ProcscopeError } from '../../../shared/errors';
import type { Notice } from './state';

/** An error as the notice bar shows it: its message, and its hint where it has one. */
export const errorNotice = (error: ProcscopeError): Notice => ({ kind: 'error', text: error.message, ...(error.hint ? { hint: error.hint } : {}) });
