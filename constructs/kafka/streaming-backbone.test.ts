import { isRbacStreamingBackbone, kafkaClientProperties } from './streaming-backbone';
import type { StreamingBackbone } from './streaming-backbone';

const base: StreamingBackbone = {
  bootstrapServers: 'b1:9093,b2:9093',
  securityProtocol: 'SSL',
  authentication: 'tls inside the vnet',
  topics: ['telemetry.raw'],
  accessControl: 'network-isolation',
};

describe('streaming backbone helpers', () => {
  it('narrows to an rbac backbone only when access control is azure-rbac', () => {
    expect(isRbacStreamingBackbone(base)).toBe(false);
    expect(isRbacStreamingBackbone({ ...base, accessControl: 'azure-rbac' })).toBe(true);
  });

  it('builds kafka client properties and leaves sasl out when there is none', () => {
    expect(kafkaClientProperties(base)).toEqual({
      'bootstrap.servers': 'b1:9093,b2:9093',
      'security.protocol': 'SSL',
    });
    expect(
      kafkaClientProperties({
        ...base,
        securityProtocol: 'SASL_SSL',
        saslMechanism: 'OAUTHBEARER',
      }),
    ).toEqual({
      'bootstrap.servers': 'b1:9093,b2:9093',
      'security.protocol': 'SASL_SSL',
      'sasl.mechanism': 'OAUTHBEARER',
    });
  });
});
