import { homePath, type Config } from '../config.js';

/**
 * Where a command writes its report unless `--report` names a file: `<home>/reports/<name>-<time>.txt`, the
 * time in UTC with `:` and `.` replaced, so that names sort by time and hold no characters Windows refuses.
 */
export function defaultReportFile(config: Pick<Config, 'home'>, name: string, date = new Date()): string {
  return homePath(config.home, 'reports', `${name}-${date.toISOString().replace(/[:.]/g, '-')}.txt`);
}
