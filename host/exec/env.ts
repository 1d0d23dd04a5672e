// The environment scripts run with: ours, minus what lets a caller change how a root script behaves
// (keepalived removes the same three).
const UNSAFE = ['IFS', 'LD_PRELOAD', 'LD_LIBRARY_PATH'] as const;

export function scriptEnv(base: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) {
    if (v !== undefined && !(UNSAFE as readonly string[]).includes(k)) env[k] = v;
  }
  if (!env.PATH) env.PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  return env;
}
