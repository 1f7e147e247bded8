"""The lakehouse streaming job's modules: settings (pure), transforms (DataFrame to DataFrame),
tables (Delta DDL and MERGEs), job (the streaming queries)."""
