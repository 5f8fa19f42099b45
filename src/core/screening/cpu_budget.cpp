// cpu_budget.cpp — see cpu_budget.h.
#include "core/screening/cpu_budget.h"

#include "core/base/csv.h"

#include <algorithm>
#include <cmath>

namespace dx {

// A whole CPU count from a quota and a period in microseconds; 0 when either is missing or unlimited.
static std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' '))
        s.pop_back();
    return s;
}

static int quotaThreads(const std::string& quota, const std::string& period) {
    double q = 0.0, p = 0.0;
    if (!parseDecimal(trimmed(quota), &q) || !parseDecimal(trimmed(period), &p) || q <= 0.0 || p <= 0.0)
        return 0;
    return int(std::ceil(q / p - 1e-9));
}

CpuBudget cpuBudget(const EnvironmentLookup& environment, const CpuLimits& limits) {
    CpuBudget best;
    best.threads = 0;
    auto consider = [&](int threads, const std::string& reason) {
        if (threads > 0 && (best.threads == 0 || threads < best.threads)) best = {threads, reason};
    };
    std::string slurm;
    double perTask = 0.0;
    if (environment("SLURM_CPUS_PER_TASK", &slurm) && parseDecimal(slurm, &perTask) && perTask >= 1 &&
        perTask == std::floor(perTask))
        consider(int(perTask), "SLURM_CPUS_PER_TASK=" + slurm);
    consider(limits.affinity, std::to_string(limits.affinity) + " CPUs in the task's affinity mask");
    const std::string& max = limits.cgroupCpuMax;
    const size_t space = max.find(' ');
    if (space != std::string::npos) {
        const std::string period = trimmed(max.substr(space + 1));
        consider(quotaThreads(max.substr(0, space), period),
                 "cgroup cpu.max " + max.substr(0, space) + "/" + period);
    }
    consider(quotaThreads(limits.cgroupV1Quota, limits.cgroupV1Period),
             "cgroup cpu.cfs_quota_us " + trimmed(limits.cgroupV1Quota) + "/" +
                 trimmed(limits.cgroupV1Period));
    if (best.threads == 0) best = {1, "no CPU count known"};
    return best;
}

ArchiveThreads planArchiveThreads(int budget, int requestedInference, int requestedWorkers) {
    budget = std::max(budget, 1);
    ArchiveThreads t;
    t.inference = requestedInference > 0 ? requestedInference : budget;
    t.prepareWorkers = requestedWorkers > 0 ? requestedWorkers : std::min(budget, kMaxPrepareWorkers);
    return t;
}

} // namespace dx
