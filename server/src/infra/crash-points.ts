/**
 * Named moments at which the crash test kills the hub from inside, so that
 * "a crash at any moment loses nothing" is proven at the moments that matter
 * rather than wherever a timer happens to land (issue 8):
 *
 *   notify-committed      the notification's change is committed, its answer not yet sent
 *   outbox-claimed        an outbox row is claimed, the provider not yet asked
 *   provider-answered     the provider answered the write-off, COMPLETED not yet committed
 *
 * Off unless CITYHUB_CRASH_POINTS names them (`name:probability,…`, e.g.
 * `outbox-claimed:0.05`); production never sets it. When one fires, the
 * process writes one line `crash-point <name> <pid>` to CITYHUB_CRASH_LOG
 * (appended synchronously, so it survives the kill) and SIGKILLs itself:
 * nothing after that line runs, exactly like a power cut.
 */
import fs from 'node:fs';

export const CRASH_POINTS = ['notify-committed', 'outbox-claimed', 'provider-answered'] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

function parse(spec: string | undefined): Map<CrashPoint, number> {
  const armed = new Map<CrashPoint, number>();
  for (const part of (spec ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const [name, probability = '1'] = part.split(':');
    if (!(CRASH_POINTS as readonly string[]).includes(name)) throw new Error(`CITYHUB_CRASH_POINTS: unknown crash point "${name}" (known: ${CRASH_POINTS.join(', ')})`);
    const p = Number(probability);
    if (!(p >= 0 && p <= 1)) throw new Error(`CITYHUB_CRASH_POINTS: probability of "${name}" must be between 0 and 1`);
    armed.set(name as CrashPoint, p);
  }
  return armed;
}

const armed = parse(process.env.CITYHUB_CRASH_POINTS);
const crashLog = process.env.CITYHUB_CRASH_LOG;

/** Kills this process here if the crash test armed this point (a no-op otherwise). */
export function crashPoint(name: CrashPoint): void {
  const p = armed.get(name);
  if (p === undefined || Math.random() >= p) return;
  if (crashLog) fs.appendFileSync(crashLog, `crash-point ${name} ${process.pid}\n`);
  process.kill(process.pid, 'SIGKILL');
}
