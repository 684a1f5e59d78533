// Key files: round trips in clear and encrypted, mode 0600 on write, and a
// clear error for loose permissions, wrong or missing passphrase, and corrupt
// files.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/crypto.h"

namespace licenced::crypto {
namespace {

namespace fs = std::filesystem;

// A fresh directory under the build tree, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = std::string(LICENCED_BINARY_DIR) + "/keyfile-test-XXXXXX";
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void Spit(const std::string& path, const std::string& text) {
  { std::ofstream(path, std::ios::trunc) << text; }
  REQUIRE(::chmod(path.c_str(), 0600) == 0);
}

std::string ReplaceLine(const std::string& text, const std::string& name, const std::string& v) {
  size_t at = text.find("\n" + name + ": ");
  REQUIRE(at != std::string::npos);
  size_t end = text.find('\n', at + 1);
  return text.substr(0, at + 1) + name + ": " + v + text.substr(end);
}

TEST_CASE("key file: clear round trip, mode 0600, documented layout", "[keyfile]") {
  TempDir dir;
  KeyPair key = KeyPair::FromSeed(Seed{42});
  std::string path = dir.File("validator.key");
  ::umask(022);
  REQUIRE(WriteKeyFile(path, key, std::nullopt).ok());
  CHECK(ModeOf(path) == 0600);
  CHECK_FALSE(fs::exists(path + ".tmp"));
  std::string text = Slurp(path);
  CHECK(text.rfind("licenced-key-v1\nalgorithm: ed25519\npublic-key: " + ToHex(key.public_key()) +
                       "\nseed: " + ToHex(key.seed()) + "\n",
                   0) == 0);
  auto read = ReadKeyFile(path, std::nullopt);
  REQUIRE(read.ok());
  CHECK(read->public_key() == key.public_key());
  // A passphrase given for a clear file is ignored.
  CHECK(ReadKeyFile(path, std::string("unused")).ok());
  // Overwriting an existing (even loosened) file leaves it 0600.
  REQUIRE(::chmod(path.c_str(), 0644) == 0);
  KeyPair other = KeyPair::FromSeed(Seed{43});
  REQUIRE(WriteKeyFile(path, other, std::nullopt).ok());
  CHECK(ModeOf(path) == 0600);
  CHECK(ReadKeyFile(path, std::nullopt)->public_key() == other.public_key());
}

TEST_CASE("key file: encrypted round trip, wrong and missing passphrase", "[keyfile]") {
  TempDir dir;
  KeyPair key = KeyPair::Generate();
  std::string path = dir.File("admin.key");
  REQUIRE(WriteKeyFile(path, key, std::string("correct horse battery staple")).ok());
  CHECK(ModeOf(path) == 0600);
  std::string text = Slurp(path);
  CHECK(text.find(ToHex(key.seed())) == std::string::npos);
  CHECK(text.find("encryption: argon2id13+xsalsa20poly1305\n") != std::string::npos);

  auto read = ReadKeyFile(path, std::string("correct horse battery staple"));
  REQUIRE(read.ok());
  CHECK(read->public_key() == key.public_key());
  CHECK(read->seed() == key.seed());

  auto wrong = ReadKeyFile(path, std::string("correct horse battery stapler"));
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.status().code() == StatusCode::kPermissionDenied);
  CHECK(wrong.status().message().find("wrong passphrase") != std::string::npos);

  auto missing = ReadKeyFile(path, std::nullopt);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == StatusCode::kFailedPrecondition);
  CHECK(missing.status().message().find("passphrase is required") != std::string::npos);

  // Same key and passphrase encrypt differently (fresh salt and nonce).
  std::string path2 = dir.File("admin2.key");
  REQUIRE(WriteKeyFile(path2, key, std::string("correct horse battery staple")).ok());
  CHECK(Slurp(path2) != text);

  CHECK(WriteKeyFile(dir.File("empty.key"), key, std::string("")).code() ==
        StatusCode::kInvalidArgument);
}

TEST_CASE("key file: loose permissions are refused with a chmod hint", "[keyfile]") {
  TempDir dir;
  std::string path = dir.File("loose.key");
  REQUIRE(WriteKeyFile(path, KeyPair::Generate(), std::nullopt).ok());
  for (mode_t mode : {0644, 0640, 0604, 0660, 0601, 0610}) {
    REQUIRE(::chmod(path.c_str(), mode) == 0);
    auto r = ReadKeyFile(path, std::nullopt);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::kPermissionDenied);
    char want[64];
    std::snprintf(want, sizeof want, "has mode %04o; run chmod 600 ", static_cast<unsigned>(mode));
    CHECK(r.status().message().find(want) != std::string::npos);
    CHECK(r.status().message().find(path) != std::string::npos);
  }
  REQUIRE(::chmod(path.c_str(), 0400) == 0);
  CHECK(ReadKeyFile(path, std::nullopt).ok());
}

TEST_CASE("key file: missing and corrupt files give clear errors", "[keyfile]") {
  TempDir dir;
  KeyPair key = KeyPair::FromSeed(Seed{9});
  std::string good_path = dir.File("good.key");
  REQUIRE(WriteKeyFile(good_path, key, std::nullopt).ok());
  const std::string good = Slurp(good_path);
  std::string enc_path = dir.File("enc.key");
  REQUIRE(WriteKeyFile(enc_path, key, std::string("pw")).ok());
  const std::string enc = Slurp(enc_path);

  auto missing = ReadKeyFile(dir.File("nope.key"), std::nullopt);
  CHECK(missing.status().code() == StatusCode::kNotFound);

  Seed other_seed = KeyPair::FromSeed(Seed{10}).seed();
  std::vector<std::pair<std::string, std::string>> corrupt = {
      {"empty", ""},
      {"no final newline", good.substr(0, good.size() - 1)},
      {"bad header", "licenced-key-v0" + good.substr(good.find('\n'))},
      {"truncated", good.substr(0, good.size() / 2) + "\n"},
      {"odd hex seed", ReplaceLine(good, "seed", ToHex(key.seed()).substr(1))},
      {"non-hex seed", ReplaceLine(good, "seed", std::string(64, 'z'))},
      {"short seed", ReplaceLine(good, "seed", ToHex(key.seed()).substr(2))},
      {"seed of another key", ReplaceLine(good, "seed", ToHex(other_seed))},
      {"bad algorithm", ReplaceLine(good, "algorithm", "rsa")},
      {"extra line", good + "comment: hi\n"},
      {"garbage line", good + "garbage\n"},
      {"binary", std::string("\x00\x01\x02\n", 4)},
      {"bad public key", ReplaceLine(good, "public-key", "00")},
      {"encrypted, bad salt", ReplaceLine(enc, "salt", "00")},
      {"encrypted, bad opslimit", ReplaceLine(enc, "opslimit", "1000000")},
      {"encrypted, non-numeric memlimit", ReplaceLine(enc, "memlimit", "64M")},
      {"encrypted, unknown cipher", ReplaceLine(enc, "encryption", "rot13")},
      {"encrypted, short sealed seed", ReplaceLine(enc, "sealed-seed", "abcd")},
      {"too large", good + std::string(5000, '#') + "\n"},
  };
  for (const auto& [name, text] : corrupt) {
    INFO(name);
    std::string path = dir.File("corrupt.key");
    Spit(path, text);
    auto r = ReadKeyFile(path, std::string("pw"));
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::kCorruption);
    CHECK(r.status().message().find(path) != std::string::npos);
  }
  // A flipped byte in the sealed seed cannot be told from a wrong passphrase,
  // and says so.
  std::string sealed_hex = enc.substr(enc.find("sealed-seed: ") + 13, 96);
  sealed_hex[0] = sealed_hex[0] == '0' ? '1' : '0';
  Spit(dir.File("flipped.key"), ReplaceLine(enc, "sealed-seed", sealed_hex));
  auto flipped = ReadKeyFile(dir.File("flipped.key"), std::string("pw"));
  REQUIRE_FALSE(flipped.ok());
  CHECK(flipped.status().message().find("corrupt") != std::string::npos);
  // The right file still reads.
  CHECK(ReadKeyFile(enc_path, std::string("pw")).ok());
}

TEST_CASE("public key file: hex and newline round trip, corrupt rejected", "[keyfile]") {
  TempDir dir;
  KeyPair key = KeyPair::Generate();
  std::string path = dir.File("admin.key.pub");
  REQUIRE(WritePublicKeyFile(path, key.public_key()).ok());
  CHECK(Slurp(path) == ToHex(key.public_key()) + "\n");
  CHECK(ModeOf(path) == 0644);
  auto read = ReadPublicKeyFile(path);
  REQUIRE(read.ok());
  CHECK(*read == key.public_key());
  for (const std::string& bad : {std::string(""), ToHex(key.public_key()).substr(2) + "\n",
                                 std::string(64, 'g') + "\n", ToHex(key.public_key()) + "00\n"}) {
    Spit(path, bad);
    CHECK(ReadPublicKeyFile(path).status().code() == StatusCode::kCorruption);
  }
  CHECK(ReadPublicKeyFile(dir.File("missing.pub")).status().code() == StatusCode::kNotFound);
}

}  // namespace
}  // namespace licenced::crypto
