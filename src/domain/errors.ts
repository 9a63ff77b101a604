// Refusals the domain services raise. They carry no HTTP knowledge: the API
// maps each class to a problem type in one place (src/api/errors.ts).

/** A program, subscriber or key that does not exist (or is not visible). */
export class NotFoundError extends Error {
  constructor(
    readonly entity: string,
    readonly entityId: string,
  ) {
    super(`${entity} ${entityId} does not exist`);
  }
}

/** The request contradicts the current state (duplicate ID, revoked key, ...). */
export class ConflictError extends Error {}

/** The program's own texts would fail the content lint; each reason names template and language. */
export class ProgramLintError extends Error {
  constructor(readonly reasons: string[]) {
    super(`the program's texts fail the content lint: ${reasons.length} problem(s)`);
  }
}

/** The opt-in was evaluated and refused; the subscriber may exist in state `refused`. */
export class OptInRefusedError extends Error {
  constructor(
    readonly reasons: string[],
    readonly subscriberId: string | null,
    readonly state: string | null,
  ) {
    super(`opt-in refused: ${reasons.join('; ')}`);
  }
}

/** Temporal did not answer in time: the request may still take effect. */
export class LifecycleUnavailableError extends Error {}

/** The phone number could not be read as a textable E.164 number; the reason never repeats it. */
export class InvalidPhoneNumberError extends Error {
  constructor(readonly reason: string) {
    super(`invalid phone number: ${reason}`);
  }
}
