import { isPostgresConnectionError } from './postgres';

function withCode(message: string, code?: string): Error {
  return Object.assign(new Error(message), code === undefined ? {} : { code });
}

describe('isPostgresConnectionError', () => {
  it.each([
    [
      '57P01 admin shutdown (a restart)',
      withCode('terminating connection due to administrator command', '57P01'),
    ],
    ['57P03 starting up', withCode('the database system is starting up', '57P03')],
    ['class 08 connection exception', withCode('connection failure', '08006')],
    ['refused socket', withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['reset socket', withCode('read ECONNRESET', 'ECONNRESET')],
    ['pg: connection ended', withCode('Connection terminated unexpectedly')],
    ['pg: connect timeout', withCode('timeout exceeded when trying to connect')],
    [
      'pg: broken client reused',
      withCode('Client has encountered a connection error and is not queryable'),
    ],
  ])('%s is a connection error', (_what, err) => {
    expect(isPostgresConnectionError(err)).toBe(true);
  });

  it.each([
    ['unique violation', withCode('duplicate key value', '23505')],
    ['syntax error', withCode('syntax error at or near "SELEC"', '42601')],
    ['deadlock (retried by the store itself)', withCode('deadlock detected', '40P01')],
    ['statement timeout', withCode('canceling statement due to statement timeout', '57014')],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'rows')")],
    ['not an Error', 'Connection terminated'],
  ])('%s is not', (_what, err) => {
    expect(isPostgresConnectionError(err)).toBe(false);
  });
});
