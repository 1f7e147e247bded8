"""Parameters and Kafka options per backbone (no Spark)."""

import unittest

from lakehouse.settings import SettingsError, kafka_source_options, parse_settings, parse_trigger

CONNECTION_STRING = (
    "Endpoint=sb://iot-dev.servicebus.windows.net/;SharedAccessKeyName=listen;"
    'SharedAccessKey=abc"def='
)


class ParseSettings(unittest.TestCase):
    def test_defaults_follow_the_node_workloads(self):
        s = parse_settings(["--lakehouse-path", "/lh"], {})
        self.assertEqual(s.kafka_mode, "local")
        self.assertEqual(s.kafka_brokers, ("127.0.0.1:9092",))
        self.assertEqual((s.readings_topic, s.alerts_topic), ("telemetry.analyzed", "alerts"))
        self.assertEqual(s.checkpoint("silver"), "/lh/_checkpoints/silver")
        self.assertEqual(s.table_path("gold"), "/lh/gold")
        self.assertFalse(s.trigger.available_now)
        self.assertEqual(s.trigger.interval, "30 seconds")
        self.assertIsNone(s.max_offsets_per_trigger)

    def test_arguments_win_over_the_environment(self):
        env = {"KAFKA_BROKERS": "k1:9092,k2:9092", "LAKEHOUSE_PATH": "/env", "KAFKA_MODE": "local"}
        s = parse_settings(["--kafka-brokers", "x:1"], env)
        self.assertEqual(s.kafka_brokers, ("x:1",))
        self.assertEqual(s.lakehouse_path, "/env")
        s = parse_settings([], env)
        self.assertEqual(s.kafka_brokers, ("k1:9092", "k2:9092"))

    def test_every_problem_is_named(self):
        with self.assertRaises(SettingsError) as caught:
            parse_settings(
                [
                    "--kafka-mode",
                    "zookeeper",
                    "--trigger",
                    "soon",
                    "--max-offsets-per-trigger",
                    "0",
                    "--readings-topic",
                    "bad topic",
                ],
                {},
            )
        text = "\n".join(caught.exception.problems)
        self.assertIn("--kafka-mode/KAFKA_MODE 'zookeeper' must be one of local, hdinsight", text)
        self.assertIn("--trigger/LAKEHOUSE_TRIGGER 'soon' must be available-now", text)
        self.assertIn("--max-offsets-per-trigger", text)
        self.assertIn("--readings-topic 'bad topic' is not a Kafka topic name", text)
        self.assertIn("--lakehouse-path/LAKEHOUSE_PATH is required", text)

    def test_unknown_and_abbreviated_arguments_are_rejected(self):
        with self.assertRaises(SettingsError) as caught:
            parse_settings(["--lakehouse-path", "/lh", "--trig", "10s"], {})
        self.assertIn("unknown arguments", caught.exception.problems[0])

    def test_event_hubs_needs_its_credentials(self):
        with self.assertRaises(SettingsError) as caught:
            parse_settings(["--lakehouse-path", "/lh", "--kafka-mode", "eventhubs"], {})
        text = "\n".join(caught.exception.problems)
        self.assertIn("EVENTHUBS_NAMESPACE is required", text)
        self.assertIn("EVENTHUBS_SERVICE_CREDENTIAL is required", text)


class Triggers(unittest.TestCase):
    def test_forms(self):
        self.assertTrue(parse_trigger("available-now").available_now)
        self.assertEqual(parse_trigger("500ms").interval, "500 milliseconds")
        self.assertEqual(parse_trigger("1m").interval, "1 minutes")
        for bad in ("0s", "10", "1d", ""):
            with self.assertRaises(ValueError):
                parse_trigger(bad)


class KafkaOptions(unittest.TestCase):
    def test_local_is_plaintext_on_both_topics(self):
        s = parse_settings(
            ["--lakehouse-path", "/lh", "--kafka-brokers", "127.0.0.1:19092"],
            {"LAKEHOUSE_MAX_OFFSETS_PER_TRIGGER": "100"},
        )
        o = kafka_source_options(s)
        self.assertEqual(o["kafka.bootstrap.servers"], "127.0.0.1:19092")
        self.assertEqual(o["kafka.security.protocol"], "PLAINTEXT")
        self.assertEqual(o["subscribe"], "telemetry.analyzed,alerts")
        self.assertEqual(o["failOnDataLoss"], "true")
        self.assertEqual(o["maxOffsetsPerTrigger"], "100")

    def test_hdinsight_is_tls_with_the_private_ca(self):
        pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
        s = parse_settings(
            ["--lakehouse-path", "/lh", "--kafka-mode", "hdinsight", "--kafka-brokers", "wn0:9093"],
            {"KAFKA_TLS_CA_PEM": pem},
        )
        o = kafka_source_options(s)
        self.assertEqual(o["kafka.security.protocol"], "SSL")
        self.assertEqual(o["kafka.ssl.truststore.type"], "PEM")
        self.assertEqual(o["kafka.ssl.truststore.certificates"], pem)
        self.assertNotIn("kafka.ssl.endpoint.identification.algorithm", o)
        s = parse_settings(
            ["--lakehouse-path", "/lh", "--kafka-mode", "hdinsight", "--kafka-tls-ca-file", "/ca"],
            {},
        )
        self.assertEqual(kafka_source_options(s)["kafka.ssl.truststore.location"], "/ca")

    def test_event_hubs_connection_string_is_sasl_plain_with_escaped_password(self):
        s = parse_settings(
            ["--lakehouse-path", "/lh", "--kafka-mode", "eventhubs"],
            {
                "EVENTHUBS_AUTH": "connection-string",
                "EVENTHUBS_CONNECTION_STRING": CONNECTION_STRING,
            },
        )
        o = kafka_source_options(s, "kafkashaded.")
        self.assertEqual(o["kafka.bootstrap.servers"], "iot-dev.servicebus.windows.net:9093")
        self.assertEqual(o["kafka.security.protocol"], "SASL_SSL")
        self.assertEqual(o["kafka.sasl.mechanism"], "PLAIN")
        self.assertEqual(
            o["kafka.sasl.jaas.config"],
            "kafkashaded.org.apache.kafka.common.security.plain.PlainLoginModule required"
            ' username="$ConnectionString" password="'
            + CONNECTION_STRING.replace('"', '\\"')
            + '";',
        )

    def test_event_hubs_entra_uses_the_service_credential(self):
        s = parse_settings(
            ["--lakehouse-path", "/lh", "--kafka-mode", "eventhubs"],
            {"EVENTHUBS_NAMESPACE": "iot-prod", "EVENTHUBS_SERVICE_CREDENTIAL": "lakehouse-eh"},
        )
        o = kafka_source_options(s)
        self.assertEqual(o["databricks.serviceCredential"], "lakehouse-eh")
        self.assertEqual(
            o["databricks.serviceCredential.scope"],
            "https://iot-prod.servicebus.windows.net/.default",
        )
        self.assertNotIn("kafka.sasl.jaas.config", o)


if __name__ == "__main__":
    unittest.main()
