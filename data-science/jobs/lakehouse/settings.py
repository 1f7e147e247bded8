"""The job's parameters: command-line arguments with the Node workloads' environment variables as
fallback (workloads/shared/kafka.ts), parsed once and checked, and the Kafka source options they
mean for each backbone. Pure Python (no Spark), so it is unit-tested without a JVM."""

from __future__ import annotations

import argparse
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

KAFKA_MODES = ("local", "hdinsight", "eventhubs")
EVENTHUBS_AUTHS = ("entra", "connection-string")
STARTING_OFFSETS = ("earliest", "latest")

# Kafka's topic name rule, as workloads/topics/topics.ts checks it.
_TOPIC = re.compile(r"^[A-Za-z0-9._-]{1,249}$")
_BROKER = re.compile(r"^[A-Za-z0-9.-]+:\d{1,5}$")
_NAMESPACE = re.compile(r"^[A-Za-z0-9-]+(\.servicebus\.windows\.net)?$")
_INTERVAL = re.compile(r"^(\d+)\s*(ms|s|m|h)$")
_INTERVAL_UNITS = {"ms": "milliseconds", "s": "seconds", "m": "minutes", "h": "hours"}


class SettingsError(Exception):
    """Bad parameters: every problem, each naming the argument (and variable), the value and what
    is allowed. The entry file turns it into exit code 2."""

    def __init__(self, problems: Sequence[str]):
        super().__init__("; ".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class Trigger:
    """`available_now` (process what is there, then stop) or a processing-time interval."""

    available_now: bool
    interval: str | None = None  # e.g. "30 seconds", Spark's processingTime form


@dataclass(frozen=True)
class Settings:
    """Everything the job needs, checked."""

    kafka_mode: str
    kafka_brokers: tuple
    kafka_tls_ca_file: str | None
    kafka_tls_ca_pem: str | None
    eventhubs_namespace: str | None
    eventhubs_auth: str
    eventhubs_connection_string: str | None
    eventhubs_service_credential: str | None
    readings_topic: str
    alerts_topic: str
    lakehouse_path: str
    checkpoint_path: str
    trigger: Trigger
    starting_offsets: str
    max_offsets_per_trigger: int | None
    group_id_prefix: str

    def table_path(self, table: str) -> str:
        """`<lakehouse>/<table>` for bronze, silver, gold and alerts."""
        return f"{self.lakehouse_path.rstrip('/')}/{table}"

    def checkpoint(self, stream: str) -> str:
        """`<checkpoints>/<stream>`: one checkpoint per streaming query."""
        return f"{self.checkpoint_path.rstrip('/')}/{stream}"


_OPTIONS = (
    "--kafka-mode",
    "--kafka-brokers",
    "--kafka-tls-ca-file",
    "--eventhubs-namespace",
    "--eventhubs-auth",
    "--eventhubs-service-credential",
    "--readings-topic",
    "--alerts-topic",
    "--lakehouse-path",
    "--checkpoint-path",
    "--trigger",
    "--starting-offsets",
    "--max-offsets-per-trigger",
    "--group-id-prefix",
)


class _ArgumentError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse exits 2 on its own; we collect instead
        raise _ArgumentError(message)


def parse_trigger(text: str) -> Trigger:
    """`available-now`, or an interval `<n>ms|s|m|h` (at least 1 ms)."""
    value = text.strip().lower()
    if value in ("available-now", "availablenow", "available_now"):
        return Trigger(available_now=True)
    m = _INTERVAL.match(value)
    if not m or int(m.group(1)) < 1:
        raise ValueError("must be available-now or an interval such as 500ms, 10s, 1m, 1h")
    return Trigger(available_now=False, interval=f"{int(m.group(1))} {_INTERVAL_UNITS[m.group(2)]}")


def parse_settings(argv: Sequence[str], env: Mapping[str, str]) -> Settings:
    """Arguments first, then the environment, then the defaults in data-science/README.md.
    Raises SettingsError listing every problem."""
    parser = _Parser(prog="telemetry_lakehouse.py", add_help=False, allow_abbrev=False)
    for option in _OPTIONS:
        parser.add_argument(option)
    try:
        args, rest = parser.parse_known_args(list(argv))
    except _ArgumentError as e:
        raise SettingsError([str(e)]) from None
    problems = []
    if rest:
        problems.append(f"unknown arguments {rest!r} (see data-science/README.md)")

    def pick(arg: str | None, var: str | None, default: str | None = None) -> str | None:
        if arg is not None:
            return arg
        if var is not None and env.get(var, "") != "":
            return env[var]
        return default

    mode = pick(args.kafka_mode, "KAFKA_MODE", "local")
    if mode not in KAFKA_MODES:
        problems.append(f"--kafka-mode/KAFKA_MODE {mode!r} must be one of {', '.join(KAFKA_MODES)}")

    brokers_text = pick(args.kafka_brokers, "KAFKA_BROKERS", "127.0.0.1:9092")
    brokers = tuple(b.strip() for b in brokers_text.split(",") if b.strip())
    bad = [b for b in brokers if not _BROKER.match(b)]
    if not brokers or bad:
        problems.append(
            f"--kafka-brokers/KAFKA_BROKERS {brokers_text!r} must be host:port[,host:port...]"
        )

    ca_file = pick(args.kafka_tls_ca_file, "KAFKA_TLS_CA_FILE")
    ca_pem = pick(None, "KAFKA_TLS_CA_PEM")
    if ca_pem is not None and "-----BEGIN CERTIFICATE-----" not in ca_pem:
        problems.append("KAFKA_TLS_CA_PEM must hold PEM certificates (-----BEGIN CERTIFICATE-----)")

    connection_string = pick(None, "EVENTHUBS_CONNECTION_STRING")
    namespace = pick(args.eventhubs_namespace, "EVENTHUBS_NAMESPACE")
    if namespace is None and connection_string:
        m = re.search(r"Endpoint=sb://([^/;]+)", connection_string, re.IGNORECASE)
        namespace = m.group(1) if m else None
    auth = pick(args.eventhubs_auth, "EVENTHUBS_AUTH", "entra")
    if auth not in EVENTHUBS_AUTHS:
        problems.append(
            f"--eventhubs-auth/EVENTHUBS_AUTH {auth!r} must be one of {', '.join(EVENTHUBS_AUTHS)}"
        )
    service_credential = pick(args.eventhubs_service_credential, "EVENTHUBS_SERVICE_CREDENTIAL")
    if mode == "eventhubs":
        if namespace is None:
            problems.append(
                "--eventhubs-namespace/EVENTHUBS_NAMESPACE is required with --kafka-mode eventhubs"
                " (or a connection string with Endpoint=sb://...)"
            )
        elif not _NAMESPACE.match(namespace):
            problems.append(
                f"--eventhubs-namespace/EVENTHUBS_NAMESPACE {namespace!r} must be a name or"
                " name.servicebus.windows.net"
            )
        if auth == "connection-string" and not connection_string:
            problems.append(
                "EVENTHUBS_CONNECTION_STRING is required with EVENTHUBS_AUTH=connection-string"
            )
        if auth == "entra" and not service_credential:
            problems.append(
                "--eventhubs-service-credential/EVENTHUBS_SERVICE_CREDENTIAL is required with"
                " EVENTHUBS_AUTH=entra (a Unity Catalog service credential, Databricks"
                " Runtime 16.1+)"
            )

    readings_topic = pick(args.readings_topic, "LAKEHOUSE_READINGS_TOPIC", "telemetry.analyzed")
    alerts_topic = pick(args.alerts_topic, "LAKEHOUSE_ALERTS_TOPIC", "alerts")
    for name, value in (("--readings-topic", readings_topic), ("--alerts-topic", alerts_topic)):
        if not _TOPIC.match(value) or value in (".", ".."):
            problems.append(f"{name} {value!r} is not a Kafka topic name (1-249 of [A-Za-z0-9._-])")
    if readings_topic == alerts_topic:
        problems.append(f"--readings-topic and --alerts-topic are both {readings_topic!r}")

    lakehouse = pick(args.lakehouse_path, "LAKEHOUSE_PATH")
    if not lakehouse or not lakehouse.strip():
        problems.append("--lakehouse-path/LAKEHOUSE_PATH is required (a folder or abfss:// URI)")
        lakehouse = ""
    checkpoint = pick(
        args.checkpoint_path, "LAKEHOUSE_CHECKPOINT_PATH", f"{lakehouse.rstrip('/')}/_checkpoints"
    )

    trigger = Trigger(available_now=False, interval="30 seconds")
    trigger_text = pick(args.trigger, "LAKEHOUSE_TRIGGER", "30s")
    try:
        trigger = parse_trigger(trigger_text)
    except ValueError as e:
        problems.append(f"--trigger/LAKEHOUSE_TRIGGER {trigger_text!r} {e}")

    starting = pick(args.starting_offsets, "LAKEHOUSE_STARTING_OFFSETS", "earliest")
    if starting not in STARTING_OFFSETS:
        problems.append(
            f"--starting-offsets/LAKEHOUSE_STARTING_OFFSETS {starting!r} must be earliest or latest"
        )

    max_offsets = None
    max_text = pick(args.max_offsets_per_trigger, "LAKEHOUSE_MAX_OFFSETS_PER_TRIGGER")
    if max_text is not None:
        if not re.fullmatch(r"\d{1,12}", max_text) or int(max_text) < 1:
            problems.append(
                f"--max-offsets-per-trigger/LAKEHOUSE_MAX_OFFSETS_PER_TRIGGER {max_text!r}"
                " must be a positive integer"
            )
        else:
            max_offsets = int(max_text)

    group_prefix = pick(args.group_id_prefix, "LAKEHOUSE_GROUP_ID_PREFIX", "lakehouse")
    if not re.fullmatch(r"[A-Za-z0-9._-]{1,100}", group_prefix):
        problems.append(
            f"--group-id-prefix/LAKEHOUSE_GROUP_ID_PREFIX {group_prefix!r} must be 1-100 of"
            " [A-Za-z0-9._-]"
        )

    if problems:
        raise SettingsError(problems)
    return Settings(
        kafka_mode=mode,
        kafka_brokers=brokers,
        kafka_tls_ca_file=ca_file,
        kafka_tls_ca_pem=ca_pem,
        eventhubs_namespace=namespace,
        eventhubs_auth=auth,
        eventhubs_connection_string=connection_string,
        eventhubs_service_credential=service_credential,
        readings_topic=readings_topic,
        alerts_topic=alerts_topic,
        lakehouse_path=lakehouse,
        checkpoint_path=checkpoint,
        trigger=trigger,
        starting_offsets=starting,
        max_offsets_per_trigger=max_offsets,
        group_id_prefix=group_prefix,
    )


def _jaas_string(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def kafka_source_options(settings: Settings, shaded_prefix: str = "") -> dict:
    """The Spark Kafka source options for the backbone, mirroring kafkaSettings() in
    workloads/shared/kafka.ts. `shaded_prefix` is `kafkashaded.` on Databricks, whose runtime
    relocates the Kafka client classes (JAAS login modules are named by class)."""
    options = {
        "subscribe": f"{settings.readings_topic},{settings.alerts_topic}",
        "startingOffsets": settings.starting_offsets,
        # A gap in the offsets (retention overtook the job) must stop it, not be skipped silently.
        "failOnDataLoss": "true",
        "groupIdPrefix": settings.group_id_prefix,
        "includeHeaders": "false",
    }
    if settings.max_offsets_per_trigger is not None:
        options["maxOffsetsPerTrigger"] = str(settings.max_offsets_per_trigger)
    if settings.kafka_mode == "local":
        options["kafka.bootstrap.servers"] = ",".join(settings.kafka_brokers)
        options["kafka.security.protocol"] = "PLAINTEXT"
    elif settings.kafka_mode == "hdinsight":
        options["kafka.bootstrap.servers"] = ",".join(settings.kafka_brokers)
        options["kafka.security.protocol"] = "SSL"
        # Host name verification stays on (the client's default "https"), as in the Node clients.
        if settings.kafka_tls_ca_pem:
            options["kafka.ssl.truststore.type"] = "PEM"
            options["kafka.ssl.truststore.certificates"] = settings.kafka_tls_ca_pem
        elif settings.kafka_tls_ca_file:
            options["kafka.ssl.truststore.type"] = "PEM"
            options["kafka.ssl.truststore.location"] = settings.kafka_tls_ca_file
    else:
        ns = settings.eventhubs_namespace or ""
        host = ns if "." in ns else f"{ns}.servicebus.windows.net"
        options["kafka.bootstrap.servers"] = f"{host}:9093"
        # Event Hubs' documented client settings for Kafka consumers.
        options["kafka.request.timeout.ms"] = "60000"
        options["kafka.session.timeout.ms"] = "30000"
        if settings.eventhubs_auth == "connection-string":
            options["kafka.security.protocol"] = "SASL_SSL"
            options["kafka.sasl.mechanism"] = "PLAIN"
            options["kafka.sasl.jaas.config"] = (
                f"{shaded_prefix}org.apache.kafka.common.security.plain.PlainLoginModule required"
                f' username="$ConnectionString"'
                f' password="{_jaas_string(settings.eventhubs_connection_string or "")}";'
            )
        else:
            # Databricks sets SASL_SSL/OAUTHBEARER itself from the Unity Catalog service credential.
            options["databricks.serviceCredential"] = settings.eventhubs_service_credential or ""
            options["databricks.serviceCredential.scope"] = f"https://{host}/.default"
    return options


def redacted(options: Mapping[str, str]) -> dict:
    """The options with secrets replaced, for the start log line."""
    secret_keys = ("kafka.sasl.jaas.config", "kafka.ssl.truststore.certificates")
    return {k: ("<redacted>" if k in secret_keys else v) for k, v in options.items()}
