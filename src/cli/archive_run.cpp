// archive_run.cpp — see archive_run.h. POSIX file calls (open/flock/write/ftruncate): the shard file must be
// appended line by line with nothing buffered in the process, which stdio cannot promise when it is killed.
#include "cli/archive_run.h"

#include "core/base/file_io.h"
#include "core/screening/shard_plan.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <filesystem>
#include <mutex>
#include <set>
#include <sys/file.h>
#include <thread>
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

// The read-ahead: a thread that reads and decodes the inputs in order into a queue of at most `depth`, which
// the model drains. Destroying it stops the thread (after the input it is decoding).
class ReadAhead {
public:
    struct Decoded {
        size_t index = 0;
        Result<Image> image = Error("not decoded");
        double decodeMs = 0.0;
    };

    ReadAhead(const std::vector<size_t>& indices, const std::vector<std::string>& paths,
              const DecodeListedFile& decode, size_t depth)
        : thread_([this, indices, &paths, decode, depth] {
              for (size_t index : indices) {
                  const double start = monotonicMs();
                  Decoded d{index, decode(paths[index]), 0.0};
                  d.decodeMs = monotonicMs() - start;
                  std::unique_lock<std::mutex> lock(mutex_);
                  spaceFreed_.wait(lock, [&] { return stop_ || queue_.size() < depth; });
                  if (stop_) return;
                  queue_.push_back(std::move(d));
                  available_.notify_one();
              }
          }) {}
    ~ReadAhead() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stop_ = true;
        }
        spaceFreed_.notify_all();
        thread_.join();
    }
    Decoded next() {
        std::unique_lock<std::mutex> lock(mutex_);
        available_.wait(lock, [&] { return !queue_.empty(); });
        Decoded d = std::move(queue_.front());
        queue_.pop_front();
        spaceFreed_.notify_one();
        return d;
    }

private:
    std::mutex mutex_;
    std::condition_variable available_, spaceFreed_;
    std::deque<Decoded> queue_;
    bool stop_ = false;
    std::thread thread_; // last: starts once the members above exist
};

std::string rate(size_t count, double seconds) {
    char text[64];
    std::snprintf(text, sizeof text, "%.2f images/s", seconds > 0 ? double(count) / seconds : 0.0);
    return text;
}

} // namespace

int runArchiveShard(const ArchiveRunOptions& o, const DecodeListedFile& decode, const AnalyzeDecoded& analyze,
                    const ResultLine& line) {
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
    ReadAhead readAhead(todo, list->paths, decode, 2);
    for (size_t k = 0; k < todo.size(); k++) {
        ReadAhead::Decoded input = readAhead.next();
        const std::string& path = list->paths[input.index];
        Result<AnalysisResult> result = input.image ? analyze(path, *input.image, input.decodeMs)
                                                    : Result<AnalysisResult>(input.image.error());
        const size_t index = input.index;
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
