"""Entry file of the lakehouse streaming job (a Databricks spark_python_task, or spark-submit):
Kafka telemetry.analyzed + alerts -> Delta bronze, silver, gold, alerts. Parameters and tables:
data-science/README.md. Exit codes: 0 done or stopped, 1 a stream failed, 2 bad parameters."""

import os
import sys

# The job's modules (lakehouse/) sit beside this file; Databricks and spark-submit run the file
# itself, so its folder is put on the import path explicitly.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from lakehouse.job import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], dict(os.environ)))
