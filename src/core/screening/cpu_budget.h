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

// How an archive run shares its budget between ONNX Runtime and the read-ahead workers that read, decode and
// preprocess the inputs (cli/archive_run.h).
//   dx::ArchiveThreads t = dx::planArchiveThreads(budget.threads, requestedInference, requestedWorkers);
// Requested counts (0: not given) are kept. Otherwise ONNX Runtime gets the whole budget, as for single files
// (a model heavier than decoding is then as fast as it can be), and the workers get one per CPU too, at most
// kMaxPrepareWorkers. The overlap is deliberate, and needs no measurement of decode against inference time:
// a worker only runs while the bounded queue has room, so when preparing is faster than the model the workers
// sleep and cost nothing, and when it is slower (a 512 x 512 grey PNG decodes in about the time a 128 x 128
// model runs) they take the CPU time the model thread leaves while it waits for them. What a rule cannot
// know is whether the model gains from more than one thread: ONNX Runtime's thread count is fixed when its
// session opens, before any input is seen. For small models `--threads 1` and one task per 1-2 CPUs give the
// most images per core (bench/README.md, archive run).
struct ArchiveThreads {
    int inference = 1;
    int prepareWorkers = 1;
};
constexpr int kMaxPrepareWorkers = 8; // each holds one image; beyond this a task is rarely decode-bound
ArchiveThreads planArchiveThreads(int budget, int requestedInference, int requestedWorkers);

} // namespace dx
