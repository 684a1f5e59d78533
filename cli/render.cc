#include "cli/render.h"

#include <algorithm>
#include <ctime>

#include <fmt/core.h>

namespace licenced::cli {

std::string MaskId(const std::string& id) {
  if (id.size() <= 8) return std::string(id.size() == 0 ? 0 : 4, '*');
  return id.substr(0, 4) + std::string(id.size() - 8, '*') + id.substr(id.size() - 4);
}

bool IsIdNumberField(const std::string& field) {
  static const char* kFields[] = {"legal_rep_id",  "finance_officer_id", "mother_id",
                                  "father_id",     "guardian_id",        "resident_id",
                                  "holder_code_id"};
  return std::any_of(std::begin(kFields), std::end(kFields),
                     [&](const char* f) { return field == f; });
}

nlohmann::json MaskIdFields(const nlohmann::json& j, bool show_ids) {
  if (show_ids) return j;
  if (j.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& v : j) out.push_back(MaskIdFields(v, false));
    return out;
  }
  if (!j.is_object()) return j;
  nlohmann::json out = nlohmann::json::object();
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (IsIdNumberField(it.key())) {
      if (it->is_string()) {
        out[it.key()] = MaskId(it->get<std::string>());
        continue;
      }
      if (it->is_object() && it->contains("value") && (*it)["value"].is_string()) {
        nlohmann::json v = *it;
        v["value"] = MaskId(v["value"].get<std::string>());
        out[it.key()] = v;
        continue;
      }
    }
    out[it.key()] = MaskIdFields(*it, false);
  }
  return out;
}

std::string FormatTimeMs(uint64_t ms, int32_t utc_offset_minutes) {
  if (ms == 0) return "-";
  std::time_t t = static_cast<std::time_t>(ms / 1000) + utc_offset_minutes * 60;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", &tm);
  int32_t off = utc_offset_minutes;
  char sign = off < 0 ? '-' : '+';
  if (off < 0) off = -off;
  return fmt::format("{} (UTC{}{:02}:{:02})", buf, sign, off / 60, off % 60);
}

std::string Table::Render() const {
  std::vector<size_t> widths(headers_.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  };
  measure(headers_);
  for (const auto& r : rows_) measure(r);
  auto line = [&](const std::vector<std::string>& row) {
    std::string s;
    for (size_t i = 0; i < widths.size(); ++i) {
      std::string cell = i < row.size() ? row[i] : "";
      if (i + 1 < widths.size()) cell.resize(widths[i], ' ');
      s += (i == 0 ? "" : "  ") + cell;
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s + "\n";
  };
  std::string out = line(headers_);
  for (const auto& r : rows_) out += line(r);
  return out;
}

}  // namespace licenced::cli
