import { isConnectionError } from '../../src/store/outage';

describe('isConnectionError: an outage (retry later) or a failed query', () => {
  const err = (message: string, fields: Record<string, unknown> = {}) => Object.assign(new Error(message), fields);

  test.each([
    ['refused', err('connect ECONNREFUSED 127.0.0.1:5432', { code: 'ECONNREFUSED' })],
    ['reset', err('read ECONNRESET', { code: 'ECONNRESET' })],
    ['timed out', err('connect ETIMEDOUT', { code: 'ETIMEDOUT' })],
    ['admin shutdown', err('terminating connection due to administrator command', { code: '57P01' })],
    ['crash shutdown', err('terminating connection because of crash of another server process', { code: '57P02' })],
    ['starting up', err('the database system is starting up', { code: '57P03' })],
    ['too many connections', err('sorry, too many clients already', { code: '53300' })],
    ['terminated', err('Connection terminated unexpectedly')],
    ['pool connect timeout', err('timeout exceeded when trying to connect')],
    ['PGlite closed', err('PGlite is closed')],
    ['every address refused', new AggregateError([err('x', { code: 'ECONNREFUSED' }), err('y', { code: 'ECONNREFUSED' })], '')],
  ])('%s → outage', (_, e) => expect(isConnectionError(e)).toBe(true));

  test.each([
    ['syntax error', err('syntax error at or near "SELEC"', { code: '42601' })],
    ['unique violation', err('duplicate key value violates unique constraint', { code: '23505' })],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['not an error', 'ECONNREFUSED'],
    ['nothing', null],
  ])('%s → not an outage', (_, e) => expect(isConnectionError(e)).toBe(false));
});
