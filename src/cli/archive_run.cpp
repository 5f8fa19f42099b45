// archive_run.cpp — see archive_run.h. POSIX file calls (open/flock/write/ftruncate): the shard file must be
// appended line by line with nothing buffered in the process, which stdio cannot promise when it is killed.
#include "cli/archive_run.h"

#include "cli/ordered_read_ahead.h"

#include "core/base/file_io.h"
#include "core/screening/shard_plan.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <set>
#include <sys/file.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace dx {

namespace {

int fail(const std::string& message) {
    std::fprintf(stderr, "dxlens analyze: %s\n", message.c_str());
    return 2;
}

// The whole of `text` or an error (disk full, quota): a short write is retried, never left half done silently.
Status writeAll(int fd, const std::string& text, const std::string& path) {
    size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return Error(path + ": could not be written (" + std::strerror(errno) + ")");
        done += size_t(n);
    }
    return {};
}

class ShardFile {
public:
    ~ShardFile() {
        if (fd_ >= 0) ::close(fd_);
    }
    // Opens (creating) and locks the file; reads what an earlier task left.
    Status open(const std::string& path) {
        path_ = path;
        fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd_ < 0) return Error(path + ": could not be opened (" + std::strerror(errno) + ")");
        if (::flock(fd_, LOCK_EX | LOCK_NB) != 0)
            return Error(path + ": another task is writing this shard now (a task still running, or the same "
                                "shard submitted twice); wait for it or cancel it");
        return {};
    }
    const std::string& path() const { return path_; }
    int fd() const { return fd_; }

private:
    std::string path_;
    int fd_ = -1;
};

std::string rate(size_t count, double seconds) {
    char text[64];
    std::snprintf(text, sizeof text, "%.2f images/s", seconds > 0 ? double(count) / seconds : 0.0);
    return text;
}

} // namespace

int runArchiveShard(const ArchiveRunOptions& o, const PrepareListedFile& prepare,
                    const AnalyzePrepared& analyze, const ResultLine& line) {
    Result<Bytes> listBytes = readFileBytes(o.listPath);
    if (!listBytes) return fail(listBytes.error().message);
    Result<InputList> list = parseInputList(
        std::string_view(reinterpret_cast<const char*>(listBytes->data()), listBytes->size()), o.listPath);
    if (!list) return fail(list.error().message);
    Result<ShardSpec> shard = parseShardSpec(o.shard, processEnvironment());
    if (!shard) return fail(shard.error().message);

    std::error_code ec;
    fs::create_directories(o.outDir, ec);
    if (ec) return fail(o.outDir + ": " + ec.message());
    ShardHeader header = o.model;
    header.listPath = o.listPath;
    header.listSha256 = list->sha256;
    header.listCount = list->paths.size();
    header.shard = *shard;

    // A folder holding shards of another split: most often one Slurm index resubmitted with --shard auto,
    // which then looks like a one-task array. Refused, or its inputs would be analyzed twice under two splits.
    const std::string suffix = "-of-" + shardFileName(*shard).substr(std::string("shard-0000-of-").size());
    for (const fs::directory_entry& e : fs::directory_iterator(o.outDir, ec)) {
        const std::string name = e.path().filename().string();
        if (name.rfind("shard-", 0) == 0 && e.path().extension() == ".jsonl" &&
            name.size() >= suffix.size() &&
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
            return fail(
                o.outDir + " holds " + name + ", a shard of another split than this task's " +
                std::to_string(shard->index) + " of " + std::to_string(shard->count) + " (" + shard->source +
                "). To resubmit one task of a Slurm array, run with --shard auto/N " +
                "(N = the full array's task count, the array numbered 0-(N-1)); or use another --out");
    }

    ShardFile file;
    Status opened = file.open((fs::path(o.outDir) / shardFileName(*shard)).string());
    if (!opened) return fail(opened.error().message);

    // What an earlier task of this shard finished (the file is locked: nobody appends meanwhile).
    std::set<size_t> done;
    Result<Bytes> existing = readFileBytes(file.path());
    if (!existing) return fail(existing.error().message);
    const bool headerFinished =
        std::find(existing->begin(), existing->end(), uint8_t('\n')) != existing->end();
    if (!headerFinished && !existing->empty() && ::ftruncate(file.fd(), 0) != 0)
        return fail(file.path() + ": could not cut its unfinished header (" + std::strerror(errno) + ")");
    if (headerFinished) {
        Result<ShardLog> log = parseShardLog(
            std::string_view(reinterpret_cast<const char*>(existing->data()), existing->size()), file.path());
        if (!log) return fail(log.error().message + "; move the file away to start this shard again");
        Status same = checkSameRun(log->header, header, file.path());
        if (!same) return fail(same.error().message);
        if (log->partialLastLine && ::ftruncate(file.fd(), off_t(log->completeBytes)) != 0)
            return fail(file.path() + ": could not cut its unfinished last line (" + std::strerror(errno) +
                        ")");
        for (const ShardEntry& e : log->entries)
            done.insert(e.inputIndex);
    } else {
        Status written = writeAll(file.fd(), shardHeaderJson(header) + "\n", file.path());
        if (!written) return fail(written.error().message);
    }

    const std::vector<size_t> mine = shardInputIndices(list->paths.size(), *shard);
    std::vector<size_t> todo;
    for (size_t index : mine)
        if (!done.count(index)) todo.push_back(index);
    const size_t before = done.size();
    std::fprintf(stderr,
                 "dxlens analyze: shard %d of %d (%s): %zu of the list's %zu inputs, %zu done before\n",
                 shard->index, shard->count, shard->source.c_str(), mine.size(), list->paths.size(), before);
    const auto start = std::chrono::steady_clock::now();
    auto lastReport = start;
    size_t analyzed = 0, failed = 0;
    // Two slots beyond one per worker: a worker that finishes while the model still holds the oldest input
    // can start the next one instead of waiting.
    const int workers = std::max(o.prepareWorkers, 1);
    OrderedReadAhead<Result<PreparedImageAnalysis>> readAhead(
        todo.size(), workers, size_t(workers) + 2, [&](size_t k) { return prepare(list->paths[todo[k]]); });
    for (size_t k = 0; k < todo.size(); k++) {
        Result<PreparedImageAnalysis> input = readAhead.next();
        const size_t index = todo[k];
        const std::string& path = list->paths[index];
        Result<AnalysisResult> result =
            input ? analyze(std::move(*input)) : Result<AnalysisResult>(input.error());
        std::string text = result ? withInputIndex(line(*result), index)
                                  : shardErrorLineJson(index, path, header.modelId, result.error().message);
        Status written = writeAll(file.fd(), text + "\n", file.path());
        if (!written) return fail(written.error().message);
        analyzed++;
        if (!result) failed++;
        const auto now = std::chrono::steady_clock::now();
        if (now - lastReport > std::chrono::seconds(30)) {
            lastReport = now;
            const double seconds = std::chrono::duration<double>(now - start).count();
            std::fprintf(stderr, "dxlens analyze: shard %d: %zu of %zu done, %s\n", shard->index,
                         before + analyzed, mine.size(), rate(analyzed, seconds).c_str());
        }
    }
    if (::fsync(file.fd()) != 0 && errno != EINVAL)
        return fail(file.path() + ": could not be flushed to disk (" + std::strerror(errno) + ")");
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr,
                 "dxlens analyze: shard %d of %d finished: %zu analyzed now (%s), %zu done before, %zu could "
                 "not be analyzed (error lines in %s)\n",
                 shard->index, shard->count, analyzed, rate(analyzed, seconds).c_str(), before, failed,
                 file.path().c_str());
    return 0;
}

} // namespace dx
