import { Testing } from 'cdktf';
import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { testScope } from '../../test/construct-helpers';
import {
  KEDA_OPERATOR_SCRAPE_CONFIG,
  PrometheusScrapeSettings,
} from './prometheus-scrape-settings';

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

  it('adds no custom scrape config unless asked to scrape the KEDA operator', () => {
    const { stack } = testScope();
    new PrometheusScrapeSettings(stack, 'Scrape', { podAnnotationNamespaces: ['iot'] });
    const maps = Object.values(
      (
        JSON.parse(Testing.synth(stack)) as {
          resource: Record<string, Record<string, { metadata: { name: string } }>>;
        }
      ).resource.kubernetes_config_map_v1,
    );
    expect(maps.map((m) => m.metadata.name)).toEqual(['ama-metrics-settings-configmap']);
  });

  it('scrapes the KEDA operator on its metrics port through ama-metrics-prometheus-config', () => {
    const { stack } = testScope();
    new PrometheusScrapeSettings(stack, 'Scrape', {
      podAnnotationNamespaces: ['iot'],
      kedaOperator: true,
    });
    expect(Testing.synth(stack)).toHaveResourceWithProperties(ConfigMapV1, {
      metadata: expect.objectContaining({
        name: 'ama-metrics-prometheus-config',
        namespace: 'kube-system',
      }),
      data: { 'prometheus-config': KEDA_OPERATOR_SCRAPE_CONFIG },
    });
    expect(KEDA_OPERATOR_SCRAPE_CONFIG).toMatch(/job_name: keda-operator/);
    expect(KEDA_OPERATOR_SCRAPE_CONFIG).toMatch(/names: \[kube-system\]/);
    expect(KEDA_OPERATOR_SCRAPE_CONFIG).toMatch(/replacement: '\$1:8080'/);
    // No namespace target label: the series keep the ScaledObject's namespace.
    expect(KEDA_OPERATOR_SCRAPE_CONFIG).not.toMatch(/target_label: namespace/);
    // Terraform would read "${" as an interpolation.
    expect(KEDA_OPERATOR_SCRAPE_CONFIG).not.toContain('${');
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
