/**
 * Where the machine's CPU went during a measurement, read from /proc: each
 * party of the bench (hubs, mock WeChat, simulators, load generator, payment
 * driver, the bench itself with its balancer), MariaDB and Redis (shared with
 * whoever else uses them), and everything else on the machine — on a shared
 * 2-core box, the other engineers' work. In cores: 1.0 is one CPU busy for
 * the whole window. Linux only; elsewhere every figure is absent.
 */
import fs from 'node:fs';
import os from 'node:os';

export type Party = 'hubs' | 'mockWechat' | 'simulators' | 'loadGenerator' | 'paymentDriver' | 'baseline' | 'bench' | 'mariadb' | 'redis';

export interface CpuSnapshot {
  /** All CPUs' jiffies, busy and idle. */
  total: number;
  busy: number;
  byParty: Partial<Record<Party, number>>;
}

export type CpuShares = Partial<Record<Party | 'elsewhere', number>> & { busy?: number };

function read(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** utime + stime of a process, in jiffies (fields 14 and 15 of /proc/<pid>/stat, after the command name). */
function jiffiesOf(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function partyOf(pid: number, benchPid: number, cmdline: string, comm: string): Party | undefined {
  if (pid === benchPid) return 'bench';
  if (comm === 'mariadbd' || comm === 'mysqld') return 'mariadb';
  if (comm === 'redis-server') return 'redis';
  if (/sandbox[/\\]wechat[/\\]run/.test(cmdline)) return 'mockWechat';
  if (/sandbox[/\\]providers[/\\]run/.test(cmdline)) return 'simulators';
  if (/src[/\\]main\.(js|ts)/.test(cmdline)) return 'hubs';
  if (/bench[/\\]load\.ts/.test(cmdline)) return 'loadGenerator';
  if (/bench[/\\]payments\.ts/.test(cmdline)) return 'paymentDriver';
  if (/bench[/\\]baseline\.ts/.test(cmdline)) return 'baseline';
  return undefined;
}

/** CPU used so far by the bench process `benchPid`, its children, MariaDB and Redis, and the whole machine. */
export function cpuSnapshot(benchPid: number): CpuSnapshot | undefined {
  const cpuLine = read('/proc/stat')?.split('\n')[0];
  if (!cpuLine?.startsWith('cpu ')) return undefined;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = cpuLine.trim().split(/\s+/).slice(1).map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  const byParty: Partial<Record<Party, number>> = {};
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const stat = read(`/proc/${pid}/stat`);
    if (!stat) continue;
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    // The bench and its direct children (the stack's processes and the bench's own), plus the shared stores.
    if (pid !== benchPid && ppid !== benchPid && !['mariadbd', 'mysqld', 'redis-server'].includes(comm)) continue;
    const cmdline = (read(`/proc/${pid}/cmdline`) ?? '').replace(/\0/g, ' ');
    const party = partyOf(pid, benchPid, cmdline, comm);
    if (party) byParty[party] = (byParty[party] ?? 0) + jiffiesOf(stat);
  }
  return { total: busy + idle + iowait, busy, byParty };
}

/** Cores each party used between two snapshots; `elsewhere` is the machine's busy time no party accounts for. */
export function cpuShares(before: CpuSnapshot | undefined, after: CpuSnapshot | undefined): CpuShares {
  if (!before || !after || after.total <= before.total) return {};
  const cores = os.availableParallelism();
  const toCores = (jiffies: number) => Math.round(((jiffies / (after.total - before.total)) * cores) * 100) / 100;
  const shares: CpuShares = { busy: toCores(after.busy - before.busy) };
  let accounted = 0;
  for (const party of Object.keys(after.byParty) as Party[]) {
    // A process that ended within the window is missing from `after`; one that started counts from zero.
    const used = Math.max(0, (after.byParty[party] ?? 0) - (before.byParty[party] ?? 0));
    accounted += used;
    shares[party] = toCores(used);
  }
  shares.elsewhere = toCores(Math.max(0, after.busy - before.busy - accounted));
  return shares;
}
