// cpu_budget.h — how many threads one task of an archive run should use: what the scheduler gave it, not what
// the machine has. A Slurm task with --cpus-per-task=2 on a 64-core node that starts 64 ONNX Runtime threads
// slows itself and its neighbours; so does a Kubernetes pod limited to 2 CPUs by its cgroup.
//
// How to use (the CLI gathers the facts; this decides):
//   dx::CpuLimits limits;
//   limits.affinity = CPU_COUNT(&set);                     // sched_getaffinity: the cores it may run on
//   limits.cgroupCpuMax = text of /sys/fs/cgroup/cpu.max;  // cgroup v2 "200000 100000" or "max 100000"
//   dx::CpuBudget b = dx::cpuBudget(dx::processEnvironment(), limits);
//   b.threads;  b.reason;                                  // 2, "SLURM_CPUS_PER_TASK=2"
//
// The smallest of: SLURM_CPUS_PER_TASK, the affinity mask, the cgroup CPU quota (rounded up: a 1.5-CPU limit
// is 2 threads that each get 75%), the cgroup v1 quota/period; at least 1. With none known, 1.
#pragma once

#include "core/screening/shard_plan.h"

#include <string>

namespace dx {

struct CpuLimits {
    int affinity = 0;           // 0: unknown
    std::string cgroupCpuMax;   // cgroup v2 cpu.max; empty: unknown
    std::string cgroupV1Quota;  // cgroup v1 cpu.cfs_quota_us ("-1": none)
    std::string cgroupV1Period; // cgroup v1 cpu.cfs_period_us
};

struct CpuBudget {
    int threads = 1;
    std::string reason; // which limit decided, e.g. "SLURM_CPUS_PER_TASK=2", "cgroup cpu.max 150000/100000"
};

CpuBudget cpuBudget(const EnvironmentLookup& environment, const CpuLimits& limits);

} // namespace dx
