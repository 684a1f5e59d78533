// The static pages built into licenced (web/CMakeLists.txt embeds them):
// the offline verification page under /verify/. Immutable; thread-safe.
#pragma once

#include <string_view>

namespace licenced::web {

struct WebAsset {
  std::string_view path;          // "/verify/index.html"
  std::string_view content_type;  // "text/html; charset=utf-8"
  std::string_view body;          // the file's exact bytes
};

// "/verify" and "/verify/" name index.html; nullptr for any other unknown path.
const WebAsset* FindWebAsset(std::string_view path);

}  // namespace licenced::web
