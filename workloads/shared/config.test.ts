import {
  CONFIG_EXIT_CODE,
  ConfigError,
  bool,
  int,
  list,
  loadConfig,
  loadConfigOrExit,
  num,
  oneOf,
  port,
  str,
  url,
} from './config';

const spec = {
  PORT: port({ default: 8080 }),
  NAME: str({}),
  NICK: str({ optional: true }),
  LEVEL: oneOf(['debug', 'info'] as const, { default: 'info' }),
  MAX_ITEMS: int({ default: 1000, min: 1, max: 10_000 }),
  RATIO: num({ default: 0.5, min: 0, max: 1 }),
  FLAG: bool({ default: false }),
  TARGET: url({ default: 'http://127.0.0.1:1' }),
  BROKERS: list({ default: ['a:1'] }),
  TOKEN: str({ optional: true, secret: true, pattern: /^[a-z]+$/ }),
};

describe('loadConfig', () => {
  it('applies defaults and parses typed values', () => {
    const config = loadConfig(spec, {
      NAME: 'ingest',
      PORT: '0',
      FLAG: 'yes',
      BROKERS: 'k1:9092, k2:9092',
      RATIO: '0.25',
    });
    expect(config).toEqual({
      PORT: 0,
      NAME: 'ingest',
      NICK: undefined,
      LEVEL: 'info',
      MAX_ITEMS: 1000,
      RATIO: 0.25,
      FLAG: true,
      TARGET: 'http://127.0.0.1:1',
      BROKERS: ['k1:9092', 'k2:9092'],
      TOKEN: undefined,
    });
  });

  it('names every bad variable, its value and what is allowed', () => {
    let error: unknown;
    try {
      loadConfig(spec, {
        PORT: 'http',
        LEVEL: 'loud',
        MAX_ITEMS: '0',
        RATIO: 'NaN',
        FLAG: 'maybe',
        TARGET: 'ftp://x',
        BROKERS: ' , ',
        TOKEN: 'S3CRET',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues;
    expect(issues.map((i) => i.variable)).toEqual([
      'PORT',
      'NAME',
      'LEVEL',
      'MAX_ITEMS',
      'RATIO',
      'FLAG',
      'TARGET',
      'BROKERS',
      'TOKEN',
    ]);
    const message = (error as ConfigError).message;
    expect(message).toContain('PORT="http": must be an integer from 0 to 65535');
    expect(message).toContain('NAME=<unset>: is required (a string)');
    expect(message).toContain('LEVEL="loud": must be one of debug, info');
    expect(message).toContain('TARGET="ftp://x": must be a URL (http: or https:)');
    expect(message).toContain('TOKEN=<redacted>');
    expect(message).not.toContain('S3CRET');
  });

  it('exits with code 2 and prints the message on bad config', () => {
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const exit = jest.fn((code: number) => {
      throw new Error(`exit ${code}`);
    }) as unknown as (code: number) => never;
    expect(() => loadConfigOrExit(spec, { PORT: '70000', NAME: 'x' }, exit)).toThrow('exit 2');
    expect(CONFIG_EXIT_CODE).toBe(2);
    expect(String(write.mock.calls[0][0])).toContain('PORT="70000"');
    write.mockRestore();
  });
});
