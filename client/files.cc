#include "client/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "core/genesis.h"

namespace licenced::client {

Status WriteTextFile(const std::string& path, const std::string& text, int mode) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) {
    return Status::IoError(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  }
  fchmod(fd, static_cast<mode_t>(mode));
  size_t done = 0;
  while (done < text.size()) {
    ssize_t w = write(fd, text.data() + done, text.size() - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      close(fd);
      return Status::IoError(fmt::format("cannot write {}: {}", path, std::strerror(err)));
    }
    done += static_cast<size_t>(w);
  }
  if (close(fd) != 0) {
    return Status::IoError(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  }
  return Status::Ok();
}

Result<std::string> ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::NotFound(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Status WriteSigningKey(const std::string& path, const crypto::KeyPair& key,
                       const std::optional<std::string>& passphrase) {
  LIC_RETURN_IF_ERROR(crypto::WriteKeyFile(path, key, passphrase));
  return crypto::WritePublicKeyFile(path + ".pub", key.public_key());
}

Result<std::string> ReadPassphraseFile(const std::string& path) {
  LIC_ASSIGN_OR_RETURN(std::string text, ReadTextFile(path));
  auto end = text.find_first_of("\r\n");
  if (end != std::string::npos) text.resize(end);
  if (text.empty()) {
    return Status::InvalidArgument(
        fmt::format("passphrase file {} is empty; put the passphrase on its first line", path));
  }
  return text;
}

Status ValidateGenesisText(const std::string& text) {
  auto parsed = Genesis::Parse(text);
  if (!parsed.ok()) {
    return Status::Internal(
        "generated genesis is rejected by the genesis parser (a bug in "
        "licencectl or core/genesis): " +
        parsed.status().ToString());
  }
  return Status::Ok();
}

}  // namespace licenced::client
