// i18n.cpp — the translation lookup behind tr(). English only until the catalogue lands (see i18n.h).
#include "i18n.h"

namespace dx {

const char* tr(const char* english) { return english; }

} // namespace dx
