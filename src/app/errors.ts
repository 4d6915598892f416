/** Why a use case refused: each adapter turns the code into its own answer (HTTP status, chat wording, exit code). */
export type WorkflowErrorCode = 'forbidden' | 'not_found' | 'invalid_state' | 'invalid_input';

export class WorkflowError extends Error {
  constructor(readonly code: WorkflowErrorCode, message: string) {
    super(message);
    this.name = 'WorkflowError';
  }
}
