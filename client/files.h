// Small file helpers for licencectl and lic_client: text files with a given mode, key files
// with their .pub beside them, and a check that a genesis text parses.
// Stateless functions; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "core/crypto.h"
#include "core/status.h"

namespace licenced::client {

// Writes `text` to `path` (replacing it) with permission bits `mode`.
Status WriteTextFile(const std::string& path, const std::string& text, int mode);
Result<std::string> ReadTextFile(const std::string& path);

// Writes the key file (core/crypto.h format, mode 0600) and PATH.pub.
Status WriteSigningKey(const std::string& path, const crypto::KeyPair& key,
                       const std::optional<std::string>& passphrase);

// Reads a passphrase file: its first line, without the line end.
Result<std::string> ReadPassphraseFile(const std::string& path);

// Checks the text with licenced::Genesis::Parse, so a generated file is
// exactly what nodes accept.
Status ValidateGenesisText(const std::string& text);

}  // namespace licenced::client
