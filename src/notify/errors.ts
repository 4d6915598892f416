import type { SendFailureKind } from '../channels/send-support';

/** A failed notification send; `kind` tells the outbox whether to retry, wait for an admin, or give up. */
export class NotifySendError extends Error {
  override readonly name = 'NotifySendError';
  constructor(
    readonly kind: SendFailureKind,
    message: string,
    readonly details: { code?: string | number; httpStatus?: number } = {},
  ) {
    super(message);
  }
}
