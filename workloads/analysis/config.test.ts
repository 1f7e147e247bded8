import { ConfigError, loadConfig } from '../shared/config';
import { DEFAULT_THRESHOLDS, analysisConfigSpec, parseThresholds } from './config';

describe('analysis configuration', () => {
  it('defaults to the simulator thresholds and a warm-up of at most 30', () => {
    const config = loadConfig(analysisConfigSpec, {});
    expect(config.ANALYSIS_THRESHOLDS).toEqual(DEFAULT_THRESHOLDS);
    expect(config.ANALYSIS_WARMUP).toBe(30);
    expect(config.CONSUMER_GROUP).toBe('analysis');
    expect(() => loadConfig(analysisConfigSpec, { ANALYSIS_WARMUP: '31' })).toThrow(
      /ANALYSIS_WARMUP="31": must be an integer from 3 to 30/,
    );
  });

  it('bounds what one fetch brings in (128 KiB per partition, 1 MiB in all) and takes all six partitions at once (ADR 0020)', () => {
    const config = loadConfig(analysisConfigSpec, {});
    expect(config.ANALYSIS_FETCH_MAX_BYTES_PER_PARTITION).toBe(131_072);
    expect(config.ANALYSIS_FETCH_MAX_BYTES).toBe(1_048_576);
    expect(config.ANALYSIS_PARTITIONS_CONCURRENTLY).toBe(6);
    expect(() => loadConfig(analysisConfigSpec, { ANALYSIS_FETCH_MAX_BYTES: '10' })).toThrow(
      ConfigError,
    );
  });

  it('parses threshold rules from JSON', () => {
    const config = loadConfig(analysisConfigSpec, {
      ANALYSIS_THRESHOLDS: '{"pressure":{"high":9,"hysteresis":0.5,"severity":"critical"}}',
    });
    expect(config.ANALYSIS_THRESHOLDS).toEqual({
      pressure: { high: 9, hysteresis: 0.5, severity: 'critical' },
    });
  });

  it.each([
    ['not JSON', '{', /must be JSON .*: /],
    ['an array', '[]', /expected an object/],
    ['a rule without bounds', '{"t":{"hysteresis":1}}', /t: needs high or low/],
    ['a string bound', '{"t":{"high":"9"}}', /t.high: expected a finite number/],
    ['an unknown key', '{"t":{"hi":9}}', /t: unknown key hi/],
    ['a bad severity', '{"t":{"high":9,"severity":"panic"}}', /t.severity/],
    ['a negative hysteresis', '{"t":{"high":9,"hysteresis":-1}}', /must not be negative/],
  ])('names the problem for %s', (_name, value, reason) => {
    let error: unknown;
    try {
      loadConfig(analysisConfigSpec, { ANALYSIS_THRESHOLDS: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues[0].variable).toBe('ANALYSIS_THRESHOLDS');
    expect((error as ConfigError).issues[0].reason).toMatch(reason);
  });

  it('keeps rules for metrics named like Object.prototype members as own keys', () => {
    const rules = parseThresholds(
      JSON.parse('{"__proto__":{"high":1},"constructor":{"low":0},"toString":{"high":2}}'),
    );
    expect(Object.keys(rules)).toEqual(['__proto__', 'constructor', 'toString']);
    expect(Object.getPrototypeOf(rules)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(rules))).toEqual(
      JSON.parse('{"__proto__":{"high":1},"constructor":{"low":0},"toString":{"high":2}}'),
    );
  });

  it('exposes the validator for reuse', () => {
    expect(parseThresholds({ t: { low: 1 } })).toEqual({ t: { low: 1 } });
  });
});
