/** A start-up problem with the database: shown to the operator as one line, without a stack. */
export class StoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreError';
  }
}
