/**
 * scripts/azure/hdinsight-kafka.ts: the generated scripts run for real against stand-ins. Azure and the
 * cluster are not here, so `curl` (Ambari), `ssh` (the broker nodes, run locally in a folder per
 * node), `az` and `openssl s_client` are test doubles on PATH; openssl, keytool and jq are real.
 * The double for `s_client` checks what a TLS handshake would: the broker's certificate from its
 * key store verifies against the CA bundle and names the broker.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BROKER_TLS_DIR,
  KAFKA_CA_SECRET,
  brokerTlsProperties,
  clusterInfo,
  main,
} from '../scripts/azure/hdinsight-kafka';

const ROOT = join(__dirname, '..');
const BROKERS = ['wn0-hdi.abc.ax.internal.cloudapp.net', 'wn1-hdi.abc.ax.internal.cloudapp.net'];

/** A synthesized platform stack with just what the script reads. */
function writeStack(dir: string, over: Record<string, unknown> = {}): void {
  const stack = {
    resource: {
      azurerm_hdinsight_kafka_cluster: {
        Platform_Hdinsight_1: {
          name: 'hdi-iot-prod-7k2q',
          gateway: { username: 'hdiadmin', password: '${var.hdinsight_gateway_password}' },
          roles: { worker_node: { username: 'hdiuser' } },
        },
      },
      azurerm_key_vault: {
        Platform_KeyVault_2: {
          name: '${azurerm_key_vault.Platform_KeyVault_2.x}',
          x: 'kv-iotprod7k2q',
        },
      },
      ...over,
    },
  };
  mkdirSync(join(dir, 'stacks', 'iot-prod'), { recursive: true });
  writeFileSync(join(dir, 'stacks', 'iot-prod', 'cdk.tf.json'), JSON.stringify(stack));
}

function script(command: string, out: string): string {
  let text = '';
  let err = '';
  const code = main(
    [command, 'iot-prod', '--out', out],
    (s) => (text += s),
    (s) => (err += s),
  );
  if (code !== 0) throw new Error(err);
  return text;
}

const tool = (dir: string, name: string, body: string) => {
  writeFileSync(join(dir, name), `#!/usr/bin/env bash\nset -euo pipefail\n${body}\n`);
  chmodSync(join(dir, name), 0o755);
};

/** The stand-ins; returns the PATH to run the generated script with. */
function fakes(fake: string): string {
  const bin = join(fake, 'bin');
  const nodeBin = join(fake, 'node-bin');
  mkdirSync(bin, { recursive: true });
  mkdirSync(nodeBin, { recursive: true });
  writeFileSync(join(fake, 'state'), 'STARTED');
  tool(
    bin,
    'curl',
    `echo "$*" >> "${fake}/curl.args"
url=""; method=GET; data=""
while [ $# -gt 0 ]; do
  case "$1" in
    -X) method=$2; shift 2;;
    -d) data=$2; shift 2;;
    --data-binary) data=$(cat); shift 2;;
    --netrc-file) cp "$2" "${fake}/netrc.seen"; shift 2;;
    -H|--retry|--retry-delay) shift 2;;
    https://*) url=$1; shift;;
    *) shift;;
  esac
done
case "$method $url" in
  "GET "*/services/KAFKA/components/KAFKA_BROKER) echo '{"host_components":[${BROKERS.map((b) => `{"HostRoles":{"host_name":"${b}"}}`).join(',')}]}';;
  "GET "*"?fields=Clusters/desired_configs/kafka-broker") echo '{"Clusters":{"desired_configs":{"kafka-broker":{"tag":"version1"}}}}';;
  "GET "*"/configurations?type=kafka-broker&tag=version1") echo '{"items":[{"properties":{"listeners":"PLAINTEXT://localhost:9092","log.dirs":"/data/kafka"}}]}';;
  "PUT "*/clusters/hdi-iot-prod-7k2q) printf '%s' "$data" > "${fake}/desired.json";;
  "PUT "*/services/KAFKA) jq -r .Body.ServiceInfo.state <<<"$data" > "${fake}/state"; echo "$data" >> "${fake}/restarts";;
  "GET "*"/services/KAFKA?fields=ServiceInfo/state") echo "{\\"ServiceInfo\\":{\\"state\\":\\"$(cat "${fake}/state")\\"}}";;
  *) echo "unexpected $method $url" >&2; exit 22;;
esac`,
  );
  tool(
    bin,
    'ssh',
    `while [ "$1" = -o ]; do shift 2; done
host=\${1#*@}; cmd=$2
node="${fake}/nodes/$host"; mkdir -p "$node"
input=$(mktemp); cat > "$input"; head -n 1 "$input" > "${fake}/storepass"
tls='${BROKER_TLS_DIR}'; cmd=\${cmd//"$tls"/$node}; cd "$node"
PATH="${nodeBin}:$PATH" bash -c "$cmd" < "$input"`,
  );
  tool(
    nodeBin,
    'sudo',
    `while [[ "$1" == --preserve-env=* ]]; do shift; done
case "$1" in
  chown) exit 0;;
  install) args=(); shift; while [ $# -gt 0 ]; do case "$1" in -o|-g) shift 2;; *) args+=("$1"); shift;; esac; done; exec install "\${args[@]}";;
  *) exec "$@";;
esac`,
  );
  tool(
    bin,
    'az',
    `echo "$*" >> "${fake}/az.args"
while [ $# -gt 0 ]; do [ "$1" = --file ] && cp "$2" "${fake}/ca-secret.pem"; shift; done`,
  );
  tool(
    bin,
    'openssl',
    `if [ "$1" != s_client ]; then exec /usr/bin/openssl "$@"; fi
while [ $# -gt 0 ]; do
  case "$1" in -connect) host=\${2%:*}; shift 2;; -CAfile) ca=$2; shift 2;; *) shift;; esac
done
keytool -exportcert -rfc -alias broker -keystore "${fake}/nodes/$host/kafka.server.keystore.p12" -storepass "$(cat "${fake}/storepass")" > "${fake}/$host.leaf.pem" 2>/dev/null
/usr/bin/openssl verify -CAfile "$ca" -verify_hostname "$host" -purpose sslserver "${fake}/$host.leaf.pem" >/dev/null && echo "Verification: OK"`,
  );
  return `${bin}:${process.env.PATH ?? ''}`;
}

describe('scripts/azure/hdinsight-kafka.ts', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hdi-kafka-'));
    writeStack(join(dir, 'out'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const run = (text: string, env: Record<string, string> = {}) =>
    spawnSync('bash', ['-c', text], {
      cwd: dir,
      encoding: 'utf8',
      env: {
        PATH: fakes(join(dir, 'fake')),
        HOME: dir,
        HDI_GATEWAY_PASSWORD: 'gateway-s3cret',
        ...env,
      },
      timeout: 120_000,
    });

  it('reads the cluster, its users and the key vault from the synthesized stack', () => {
    const stack = JSON.parse(
      readFileSync(join(dir, 'out', 'stacks', 'iot-prod', 'cdk.tf.json'), 'utf8'),
    );
    expect(clusterInfo(stack)).toEqual({
      cluster: 'hdi-iot-prod-7k2q',
      gatewayUser: 'hdiadmin',
      sshUser: 'hdiuser',
      keyVault: 'kv-iotprod7k2q',
    });
  });

  it('brokers: discovers the brokers through Ambari and prints only the workloads variable', () => {
    const r = run(script('brokers', join(dir, 'out')));
    expect(r.stderr).toContain('brokers:');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(
      `export TF_VAR_kafka_bootstrap_servers=${BROKERS.map((b) => `${b}:9093`).join(',')}`,
    );
    const args = readFileSync(join(dir, 'fake', 'curl.args'), 'utf8');
    expect(args).toContain('https://hdi-iot-prod-7k2q-int.azurehdinsight.net/api/v1/clusters/');
    expect(args).not.toContain('gateway-s3cret');
    expect(readFileSync(join(dir, 'fake', 'netrc.seen'), 'utf8')).toBe(
      'machine hdi-iot-prod-7k2q-int.azurehdinsight.net login hdiadmin password gateway-s3cret\n',
    );
  });

  it('tls: certifies every broker under a fresh CA, opens the SSL listener, restarts kafka, stores the CA bundle', () => {
    const r = run(script('tls', join(dir, 'out')));
    expect(r.stderr).not.toContain('failed');
    expect(r.status).toBe(0);
    const fake = join(dir, 'fake');
    const storepass = readFileSync(join(fake, 'storepass'), 'utf8').trim();
    expect(storepass).toMatch(/^[0-9a-f]{48}$/);

    // the CA bundle in Key Vault verifies each broker's certificate, which names the broker
    expect(readFileSync(join(fake, 'az.args'), 'utf8')).toContain(
      `keyvault secret set --vault-name kv-iotprod7k2q --name ${KAFKA_CA_SECRET}`,
    );
    for (const host of BROKERS) {
      const v = spawnSync(
        '/usr/bin/openssl',
        [
          'verify',
          '-CAfile',
          join(fake, 'ca-secret.pem'),
          '-verify_hostname',
          host,
          join(fake, `${host}.leaf.pem`),
        ],
        { encoding: 'utf8' },
      );
      expect(v.stdout).toContain(': OK');
      const trust = spawnSync(
        'keytool',
        [
          '-list',
          '-keystore',
          join(fake, 'nodes', host, 'kafka.server.truststore.p12'),
          '-storepass',
          storepass,
        ],
        { encoding: 'utf8' },
      );
      expect(trust.stdout).toMatch(/ca, .*trustedCertEntry/);
    }

    // the new kafka-broker version keeps the existing properties and adds the SSL ones
    const desired = JSON.parse(readFileSync(join(fake, 'desired.json'), 'utf8')).Clusters
      .desired_config;
    expect(desired.type).toBe('kafka-broker');
    expect(desired.tag).toMatch(/^tls-\d+$/);
    expect(desired.properties).toMatchObject({
      'log.dirs': '/data/kafka',
      listeners: 'PLAINTEXT://localhost:9092,SSL://localhost:9093',
      'ssl.keystore.location': `${BROKER_TLS_DIR}/kafka.server.keystore.p12`,
      'ssl.keystore.password': storepass,
      'ssl.truststore.password': storepass,
      'ssl.client.auth': 'none',
    });
    expect(Object.keys(desired.properties)).toEqual(
      expect.arrayContaining(brokerTlsProperties().map(([k]) => k)),
    );
    // stop, then start
    const restarts = readFileSync(join(fake, 'restarts'), 'utf8').trim().split('\n');
    expect(restarts.map((l) => JSON.parse(l).Body.ServiceInfo.state)).toEqual([
      'INSTALLED',
      'STARTED',
    ]);
    expect(r.stdout.trim()).toMatch(
      /^export TF_VAR_kafka_bootstrap_servers=wn0-.*:9093,wn1-.*:9093$/,
    );
    // no secret on any command line
    for (const f of ['curl.args', 'az.args']) {
      const args = readFileSync(join(fake, f), 'utf8');
      expect(args).not.toContain('gateway-s3cret');
      expect(args).not.toContain(storepass);
    }
  });

  it('fails before doing anything without the gateway password', () => {
    const r = run(script('brokers', join(dir, 'out')), { HDI_GATEWAY_PASSWORD: '' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('set HDI_GATEWAY_PASSWORD');
  });

  describe('command line', () => {
    const cli = (...args: string[]) =>
      spawnSync(
        process.execPath,
        ['--import', 'tsx', join(ROOT, 'scripts', 'azure', 'hdinsight-kafka.ts'), ...args],
        {
          cwd: ROOT,
          encoding: 'utf8',
          timeout: 30_000,
        },
      );

    it('prints help with --help and exits 0', () => {
      const r = cli('--help');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(
        'usage: npx tsx scripts/azure/hdinsight-kafka.ts <command> <stack>',
      );
    });

    it.each([
      [['rotate', 'iot-prod'], /unknown command "rotate"/],
      [['tls'], /tls needs a stack name/],
      [
        ['tls', 'iot-nope', '--out', '/nonexistent'],
        /cdk.tf.json does not exist: run `npm run synth` first/,
      ],
      [['tls', 'iot-prod', '--force'], /unknown option --force/],
    ])('exits 2 on bad input %j', (args, message) => {
      const r = cli(...args);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
    });

    it('exits 2 for a stack without an HDInsight cluster', () => {
      writeStack(join(dir, 'eh'), { azurerm_hdinsight_kafka_cluster: {} });
      const r = cli('brokers', 'iot-prod', '--out', join(dir, 'eh'));
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('the stack has 0 azurerm_hdinsight_kafka_cluster resources');
    });
  });
});
