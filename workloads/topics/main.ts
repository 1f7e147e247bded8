/**
 * The Kafka admin job: `node dist/workloads/topics/main.js` (the workloads stack runs it as a
 * Kubernetes Job before the services roll out). Reads the Kafka connection settings every service
 * reads plus `KAFKA_TOPICS`, reconciles the topics and prints one JSON line per topic.
 *
 * Exit codes: 0 done (also when nothing changed); 1 Kafka unreachable or a request failed (the
 * Job retries); 2 bad configuration; 3 a topic drifted from its declaration (nothing changed on
 * it; an operator decides).
 */
import { CONFIG_EXIT_CODE, ConfigError, loadConfig, oneOf } from '../shared/config';
import { createKafka, kafkaConfigSpec, kafkaSettings } from '../shared/kafka';
import { createLogger } from '../shared/logger';
import { CONTRACT_TOPIC_NAMES, parseTopicSpecs, reconcileTopics } from './topics';
import type { TopicSpec } from './topics';

/** The job's configuration besides `KAFKA_TOPICS` (`name:partitions:replicas,…`). */
export const topicsConfigSpec = {
  ...kafkaConfigSpec,
  LOG_LEVEL: oneOf(['debug', 'info', 'warn', 'error'] as const, { default: 'info' }),
};

/**
 * Parses the job's environment: the Kafka settings every service reads, and `KAFKA_TOPICS`,
 * which must declare every topic of the message contract.
 * @throws ConfigError naming each bad variable.
 */
export function loadTopicsConfig(env: NodeJS.ProcessEnv) {
  const config = loadConfig(topicsConfigSpec, env);
  let topics: TopicSpec[];
  try {
    topics = parseTopicSpecs(env.KAFKA_TOPICS ?? '');
    const missing = CONTRACT_TOPIC_NAMES.filter((t) => !topics.some((s) => s.topic === t));
    if (missing.length > 0)
      throw new Error(`the contract's topics ${missing.join(', ')} are missing`);
  } catch (error) {
    throw new ConfigError([
      {
        variable: 'KAFKA_TOPICS',
        value: env.KAFKA_TOPICS ? JSON.stringify(env.KAFKA_TOPICS) : '<unset>',
        reason: (error as Error).message,
      },
    ]);
  }
  return { ...config, topics };
}

async function main(): Promise<number> {
  let config: ReturnType<typeof loadTopicsConfig>;
  let settings: ReturnType<typeof kafkaSettings>;
  try {
    config = loadTopicsConfig(process.env);
    settings = kafkaSettings(config, 'topics-job');
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return CONFIG_EXIT_CODE;
  }
  const logger = createLogger({ service: 'topics', level: config.LOG_LEVEL });
  const admin = createKafka(settings, logger).admin();
  await admin.connect();
  try {
    const outcomes = await reconcileTopics(admin, config.topics);
    for (const o of outcomes) logger.info(o, `topic ${o.topic}: ${o.action}`);
    return outcomes.some((o) => o.action === 'drift') ? 3 : 0;
  } finally {
    await admin.disconnect();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`topics: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
