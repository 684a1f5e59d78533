// Output helpers for the clerks' commands: plain-text tables, masking of ID
// numbers (first 4 and last 4 characters unless --show-ids), times.
// Stateless functions and a small value type; thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace licenced::cli {

// "3701********0033": keeps the first 4 and last 4 characters of an ID
// number (8 characters or fewer: "****").
std::string MaskId(const std::string& id);
// The short form of hex keys and hashes is client/session.h MaskHex.

// True for personal ID number fields (legal_rep_id, mother_id, resident_id, ...).
bool IsIdNumberField(const std::string& field);
// Masks every ID number field in `j` (recursively; {"value","salt"} objects
// keep their salt) unless `show_ids`.
nlohmann::json MaskIdFields(const nlohmann::json& j, bool show_ids);

// "2026-11-26 14:03 (UTC+08:00)" for a ms timestamp in the given offset; "-" for 0.
std::string FormatTimeMs(uint64_t ms, int32_t utc_offset_minutes = 480);

// A text table with left-aligned columns.
class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void AddRow(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  size_t size() const { return rows_.size(); }
  std::string Render() const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace licenced::cli
