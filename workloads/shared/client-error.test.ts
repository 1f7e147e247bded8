import { clientError } from './client-error';

describe('clientError', () => {
  it('maps a URIError to a 400 naming the encoding', () => {
    expect(clientError(new URIError("Failed to decode param '%ZZ'"))).toEqual({
      status: 400,
      message: "malformed percent-encoding in the URL: Failed to decode param '%ZZ'",
    });
  });

  it('keeps the 4xx of an http error and its message', () => {
    expect(clientError(Object.assign(new Error('request aborted'), { status: 400 }))).toEqual({
      status: 400,
      message: 'request aborted',
    });
    expect(clientError(Object.assign(new Error('gone'), { status: 404 }))?.status).toBe(404);
  });

  it.each([
    ['a 5xx http error', Object.assign(new Error('bad gateway'), { status: 502 })],
    ['a non-integer status', Object.assign(new Error('x'), { status: 400.5 })],
    ['a string status', Object.assign(new Error('x'), { status: '400' })],
    ['a plain error', new TypeError('x is not a function')],
    ['null', null],
    ['a string', 'boom'],
  ])('leaves %s to the server-error path', (_name, err) => {
    expect(clientError(err)).toBeUndefined();
  });
});
