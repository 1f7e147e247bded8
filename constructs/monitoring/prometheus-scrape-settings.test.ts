import { Testing } from 'cdktf';
import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { testScope } from '../../test/construct-helpers';
import { PrometheusScrapeSettings } from './prometheus-scrape-settings';

describe('PrometheusScrapeSettings', () => {
  it('turns on pod-annotation scraping for the namespaces in the add-on settings config map', () => {
    const { stack } = testScope();
    new PrometheusScrapeSettings(stack, 'Scrape', {
      podAnnotationNamespaces: ['iot', 'edge', 'iot'],
    });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(ConfigMapV1, {
      metadata: expect.objectContaining({
        name: 'ama-metrics-settings-configmap',
        namespace: 'kube-system',
      }),
      data: {
        'schema-version': 'v1',
        'config-version': 'ver1',
        'pod-annotation-based-scraping': 'podannotationnamespaceregex = "edge|iot"',
      },
    });
  });

  it('rejects no namespaces and names that are not namespaces', () => {
    const { stack } = testScope();
    expect(() => new PrometheusScrapeSettings(stack, 'A', { podAnnotationNamespaces: [] })).toThrow(
      /invalid podAnnotationNamespaces \[\]: at least one namespace/,
    );
    expect(
      () => new PrometheusScrapeSettings(stack, 'B', { podAnnotationNamespaces: ['.*'] }),
    ).toThrow(/invalid podAnnotationNamespaces\[0\] "\.\*"/);
  });
});
