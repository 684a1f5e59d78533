// Key files (declared in core/crypto.h): the Ed25519 seed in clear or sealed
// with a passphrase (argon2id + XSalsa20-Poly1305 secretbox), and public key
// files. Formats are documented in docs/keys.md.
#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "core/crypto.h"

namespace licenced::crypto {
namespace {

constexpr std::string_view kKeyHeader = "licenced-key-v1";
constexpr std::string_view kAlgorithm = "ed25519";
constexpr std::string_view kEncryption = "argon2id13+xsalsa20poly1305";
// Largest file we are prepared to parse; real key files are < 1 KiB.
constexpr size_t kMaxKeyFileBytes = 4096;
// Bounds accepted on read so a crafted file cannot make us burn minutes or GiBs.
constexpr unsigned long long kMaxOpsLimit = 16;
constexpr size_t kMaxMemLimit = size_t{1} << 30;

static_assert(crypto_secretbox_KEYBYTES == 32);

std::string Errno() { return std::strerror(errno); }

// Closes a file descriptor on scope exit.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes now and reports failure (close can report deferred write errors).
  bool Close() {
    int fd = std::exchange(fd_, -1);
    return ::close(fd) == 0;
  }

 private:
  int fd_;
};

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Writes `contents` to `path` atomically with the given mode: a temporary file
// beside it is written, fsynced and renamed over `path`, then the directory is
// fsynced. The mode is applied with fchmod so the umask cannot loosen or
// tighten it.
Status WriteFileAtomically(const std::string& path, std::string_view contents, mode_t mode,
                           std::string_view what) {
  std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());  // a stale temporary from a crash; O_EXCL below insists on a fresh one
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (fd.get() < 0) {
    return Status::IoError("cannot create " + std::string(what) + " " + tmp + ": " + Errno());
  }
  if (::fchmod(fd.get(), mode) != 0) {
    Status s = Status::IoError("cannot chmod " + tmp + ": " + Errno());
    ::unlink(tmp.c_str());
    return s;
  }
  size_t written = 0;
  while (written < contents.size()) {
    ssize_t n = ::write(fd.get(), contents.data() + written, contents.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      Status s = Status::IoError("cannot write " + tmp + ": " + Errno());
      ::unlink(tmp.c_str());
      return s;
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd.get()) != 0 || !fd.Close()) {
    Status s = Status::IoError("cannot sync " + tmp + ": " + Errno());
    ::unlink(tmp.c_str());
    return s;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Status s = Status::IoError("cannot rename " + tmp + " to " + path + ": " + Errno());
    ::unlink(tmp.c_str());
    return s;
  }
  Fd dir(::open(DirName(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() >= 0) ::fsync(dir.get());  // best effort: the file itself is already durable
  return Status::Ok();
}

// Reads a small file. If `private_file`, refuses one whose mode grants any
// permission to group or others.
Result<std::string> ReadSmallFile(const std::string& path, bool private_file,
                                  std::string_view what) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT)
      return Status::NotFound(std::string(what) + " " + path + " does not exist");
    return Status::IoError("cannot open " + std::string(what) + " " + path + ": " + Errno());
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return Status::IoError("cannot stat " + path + ": " + Errno());
  }
  if (!S_ISREG(st.st_mode)) {
    return Status::InvalidArgument(std::string(what) + " " + path + " is not a regular file");
  }
  if (private_file && (st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Status::PermissionDenied(std::string(what) + " " + path + " has mode " + mode +
                                    "; run chmod 600 " + path);
  }
  if (static_cast<uint64_t>(st.st_size) > kMaxKeyFileBytes) {
    return Status::Corruption(std::string(what) + " " + path + " is corrupt: larger than " +
                              std::to_string(kMaxKeyFileBytes) + " bytes");
  }
  std::string out;
  char buf[1024];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IoError("cannot read " + path + ": " + Errno());
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > kMaxKeyFileBytes) {
      return Status::Corruption(std::string(what) + " " + path + " is corrupt: too large");
    }
  }
  return out;
}

// The "name: value" lines of a key file after its header line.
using Fields = std::vector<std::pair<std::string, std::string>>;

Result<Fields> ParseKeyFile(const std::string& path, const std::string& text) {
  auto corrupt = [&](const std::string& why) {
    return Status::Corruption("key file " + path + " is corrupt: " + why);
  };
  if (text.empty() || text.back() != '\n') return corrupt("missing final newline");
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  if (lines.empty() || lines[0] != kKeyHeader) {
    return corrupt("first line is not \"" + std::string(kKeyHeader) + "\"");
  }
  Fields fields;
  for (size_t i = 1; i < lines.size(); ++i) {
    size_t colon = lines[i].find(": ");
    if (colon == std::string::npos || colon == 0) {
      return corrupt("line " + std::to_string(i + 1) + " is not \"name: value\"");
    }
    fields.emplace_back(lines[i].substr(0, colon), lines[i].substr(colon + 2));
  }
  return fields;
}

// Checks that `fields` has exactly `names`, in that order.
Status ExpectFieldNames(const std::string& path, const Fields& fields,
                        const std::vector<std::string_view>& names) {
  bool match = fields.size() == names.size();
  for (size_t i = 0; match && i < names.size(); ++i) match = fields[i].first == names[i];
  if (match) return Status::Ok();
  std::string want;
  for (std::string_view n : names) want += (want.empty() ? "" : ", ") + std::string(n);
  return Status::Corruption("key file " + path + " is corrupt: expected fields " + want);
}

template <size_t N>
Result<std::array<uint8_t, N>> FixedHex(const std::string& path, std::string_view name,
                                        std::string_view hex) {
  auto bytes = FromHex(hex);
  if (!bytes.ok() || bytes->size() != N) {
    return Status::Corruption("key file " + path + " is corrupt: " + std::string(name) +
                              " is not " + std::to_string(N) + " bytes of hex");
  }
  std::array<uint8_t, N> out;
  std::copy(bytes->begin(), bytes->end(), out.begin());
  sodium_memzero(bytes->data(), bytes->size());
  return out;
}

Result<uint64_t> ParseUint(const std::string& path, std::string_view name, const std::string& s) {
  if (s.empty() || s.size() > 19 || s.find_first_not_of("0123456789") != std::string::npos ||
      (s.size() > 1 && s[0] == '0')) {
    return Status::Corruption("key file " + path + " is corrupt: " + std::string(name) +
                              " is not a decimal number");
  }
  return std::stoull(s);
}

// Derives the secretbox key from the passphrase.
Result<std::array<uint8_t, crypto_secretbox_KEYBYTES>> DeriveKey(
    const std::string& passphrase, const std::array<uint8_t, crypto_pwhash_SALTBYTES>& salt,
    unsigned long long opslimit, size_t memlimit) {
  std::array<uint8_t, crypto_secretbox_KEYBYTES> key;
  if (crypto_pwhash(key.data(), key.size(), passphrase.data(), passphrase.size(), salt.data(),
                    opslimit, memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::Internal("passphrase key derivation ran out of memory");
  }
  return key;
}

}  // namespace

Status WriteKeyFile(const std::string& path, const KeyPair& key,
                    const std::optional<std::string>& passphrase) {
  Seed seed = key.seed();
  std::string text = std::string(kKeyHeader) + "\n";
  text += "algorithm: " + std::string(kAlgorithm) + "\n";
  text += "public-key: " + ToHex(key.public_key()) + "\n";
  if (!passphrase.has_value()) {
    text += "seed: " + ToHex(seed) + "\n";
  } else {
    if (passphrase->empty()) {
      sodium_memzero(seed.data(), seed.size());
      return Status::InvalidArgument("refusing to encrypt key file " + path +
                                     " with an empty passphrase");
    }
    const unsigned long long opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
    const size_t memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
    std::array<uint8_t, crypto_pwhash_SALTBYTES> salt;
    std::array<uint8_t, crypto_secretbox_NONCEBYTES> nonce;
    randombytes_buf(salt.data(), salt.size());
    randombytes_buf(nonce.data(), nonce.size());
    auto box_key = DeriveKey(*passphrase, salt, opslimit, memlimit);
    if (!box_key.ok()) {
      sodium_memzero(seed.data(), seed.size());
      return box_key.status();
    }
    std::array<uint8_t, kSeedSize + crypto_secretbox_MACBYTES> sealed;
    crypto_secretbox_easy(sealed.data(), seed.data(), seed.size(), nonce.data(), box_key->data());
    sodium_memzero(box_key->data(), box_key->size());
    text += "encryption: " + std::string(kEncryption) + "\n";
    text += "opslimit: " + std::to_string(opslimit) + "\n";
    text += "memlimit: " + std::to_string(memlimit) + "\n";
    text += "salt: " + ToHex(salt) + "\n";
    text += "nonce: " + ToHex(nonce) + "\n";
    text += "sealed-seed: " + ToHex(sealed) + "\n";
  }
  sodium_memzero(seed.data(), seed.size());
  Status s = WriteFileAtomically(path, text, 0600, "key file");
  sodium_memzero(text.data(), text.size());
  return s;
}

Result<KeyPair> ReadKeyFile(const std::string& path, const std::optional<std::string>& passphrase) {
  LIC_ASSIGN_OR_RETURN(std::string text, ReadSmallFile(path, /*private_file=*/true, "key file"));
  auto parsed = ParseKeyFile(path, text);
  sodium_memzero(text.data(), text.size());
  if (!parsed.ok()) return parsed.status();
  const Fields& f = *parsed;
  if (f.size() < 3 || f[0].first != "algorithm" || f[1].first != "public-key") {
    return Status::Corruption("key file " + path +
                              " is corrupt: expected \"algorithm\" and \"public-key\" lines");
  }
  if (f[0].second != kAlgorithm) {
    return Status::Corruption("key file " + path + " has unsupported algorithm \"" + f[0].second +
                              "\"");
  }
  LIC_ASSIGN_OR_RETURN(PublicKey want_public,
                       FixedHex<kPublicKeySize>(path, "public-key", f[1].second));

  Seed seed{};
  if (f[2].first == "seed") {
    LIC_RETURN_IF_ERROR(ExpectFieldNames(path, f, {"algorithm", "public-key", "seed"}));
    LIC_ASSIGN_OR_RETURN(seed, FixedHex<kSeedSize>(path, "seed", f[2].second));
  } else {
    LIC_RETURN_IF_ERROR(ExpectFieldNames(path, f,
                                         {"algorithm", "public-key", "encryption", "opslimit",
                                          "memlimit", "salt", "nonce", "sealed-seed"}));
    if (f[2].second != kEncryption) {
      return Status::Corruption("key file " + path + " has unsupported encryption \"" +
                                f[2].second + "\"");
    }
    LIC_ASSIGN_OR_RETURN(uint64_t opslimit, ParseUint(path, "opslimit", f[3].second));
    LIC_ASSIGN_OR_RETURN(uint64_t memlimit, ParseUint(path, "memlimit", f[4].second));
    if (opslimit < crypto_pwhash_OPSLIMIT_MIN || opslimit > kMaxOpsLimit ||
        memlimit < crypto_pwhash_MEMLIMIT_MIN || memlimit > kMaxMemLimit) {
      return Status::Corruption("key file " + path +
                                " is corrupt: opslimit or memlimit out of range");
    }
    LIC_ASSIGN_OR_RETURN(auto salt, FixedHex<crypto_pwhash_SALTBYTES>(path, "salt", f[5].second));
    LIC_ASSIGN_OR_RETURN(auto nonce,
                         FixedHex<crypto_secretbox_NONCEBYTES>(path, "nonce", f[6].second));
    LIC_ASSIGN_OR_RETURN(auto sealed, FixedHex<kSeedSize + crypto_secretbox_MACBYTES>(
                                          path, "sealed-seed", f[7].second));
    if (!passphrase.has_value()) {
      return Status::FailedPrecondition("key file " + path +
                                        " is encrypted; a passphrase is required");
    }
    LIC_ASSIGN_OR_RETURN(auto box_key, DeriveKey(*passphrase, salt, opslimit, memlimit));
    int rc = crypto_secretbox_open_easy(seed.data(), sealed.data(), sealed.size(), nonce.data(),
                                        box_key.data());
    sodium_memzero(box_key.data(), box_key.size());
    if (rc != 0) {
      return Status::PermissionDenied("wrong passphrase for key file " + path +
                                      " (or its encrypted seed is corrupt)");
    }
  }
  KeyPair key = KeyPair::FromSeed(seed);
  sodium_memzero(seed.data(), seed.size());
  if (key.public_key() != want_public) {
    return Status::Corruption("key file " + path +
                              " is corrupt: its seed does not give its public-key");
  }
  return key;
}

Status WritePublicKeyFile(const std::string& path, const PublicKey& key) {
  return WriteFileAtomically(path, ToHex(key) + "\n", 0644, "public key file");
}

Result<PublicKey> ReadPublicKeyFile(const std::string& path) {
  LIC_ASSIGN_OR_RETURN(std::string text,
                       ReadSmallFile(path, /*private_file=*/false, "public key file"));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  auto bytes = FromHex(text);
  if (!bytes.ok() || bytes->size() != kPublicKeySize) {
    return Status::Corruption("public key file " + path +
                              " is corrupt: expected 64 hex characters and a newline");
  }
  PublicKey key;
  std::copy(bytes->begin(), bytes->end(), key.begin());
  return key;
}

}  // namespace licenced::crypto
