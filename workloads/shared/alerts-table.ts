import type { AlertMessage } from './messages';

// The alerts table (processing writes it, web reads it) mapped back to the message contract.

/** Columns of the alerts table mapped back to the message contract. */
export const ALERT_COLUMNS = `alert_id, state, device_id, rule, metric, severity, value, threshold,
  score, episode_start, ts, reading_id, message`;

/** A row of {@link ALERT_COLUMNS}. */
export interface AlertRow {
  alert_id: string;
  state: 'open' | 'resolved';
  device_id: string;
  rule: string;
  metric: string;
  severity: 'warning' | 'critical';
  value: number;
  threshold: number | null;
  score: number;
  episode_start: Date;
  ts: Date;
  reading_id: string;
  message: string;
}

/** Maps an alerts row to the message contract shape. */
export function alertFromRow(r: AlertRow): AlertMessage {
  return {
    alertId: r.alert_id,
    deviceId: r.device_id,
    rule: r.rule,
    metric: r.metric,
    state: r.state,
    severity: r.severity,
    value: r.value,
    ...(r.threshold === null ? {} : { threshold: r.threshold }),
    score: r.score,
    episodeStart: r.episode_start.toISOString(),
    ts: r.ts.toISOString(),
    readingId: r.reading_id,
    message: r.message,
  };
}
