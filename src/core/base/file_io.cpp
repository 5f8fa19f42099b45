#include "core/base/file_io.h"

#include <fstream>
#include <iterator>

namespace dx {

Result<Bytes> readFileBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error(path + ": no such file, or it cannot be read");
    Bytes bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) return Error(path + ": reading failed part-way");
    return bytes;
}

Status writeFileBytes(const std::string& path, const void* data, size_t size) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) return Error(path + ": cannot be created (does its folder exist, and may it be written?)");
    out.write(static_cast<const char*>(data), std::streamsize(size));
    out.close();
    if (!out) return Error(path + ": writing failed part-way (disk full?)");
    return {};
}

static bool staysInside(const std::string& relative) {
    if (relative.empty() || relative[0] == '/' || relative[0] == '\\') return false;
    size_t start = 0;
    while (start <= relative.size()) {
        size_t end = relative.find_first_of("/\\", start);
        if (end == std::string::npos) end = relative.size();
        if (relative.compare(start, end - start, "..") == 0 && end - start == 2) return false;
        start = end + 1;
    }
    return true;
}

ReadPackageFile packageFolderReader(std::string folder) {
    return [folder = std::move(folder)](const std::string& relative) -> Result<Bytes> {
        if (!staysInside(relative))
            return Error("manifest.json names '" + relative +
                         "', which is outside the model package's folder.");
        Result<Bytes> bytes = readFileBytes(folder + "/" + relative);
        if (!bytes) return Error("the model package has no readable file '" + relative + "'.");
        return bytes;
    };
}

} // namespace dx
