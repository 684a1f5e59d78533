// licencectl keygen: writes an Ed25519 key file and FILE.pub; with
// --encryption, an org's X25519 encryption key (sealed case data) in the same
// file format, FILE.pub then holding the X25519 public key.
#include <filesystem>
#include <iostream>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "cli/app.h"
#include "client/files.h"
#include "core/bytes.h"
#include "core/crypto.h"

namespace licenced::cli {
using client::ReadPassphraseFile;
using client::WriteSigningKey;

namespace {

struct KeygenOptions {
  std::string out;
  std::string passphrase_file;
  bool force = false;
  bool encryption = false;
};

CommandResult RunKeygen(const GlobalOptions& g, const KeygenOptions& o) {
  std::error_code ec;
  if (!o.force &&
      (std::filesystem::exists(o.out, ec) || std::filesystem::exists(o.out + ".pub", ec))) {
    return CliError{kExitUsage, fmt::format("{} (or {}.pub) already exists; choose another --out "
                                            "or pass --force to replace it",
                                            o.out, o.out)};
  }
  std::optional<std::string> passphrase;
  if (!o.passphrase_file.empty()) {
    CLI_ASSIGN_OR_RETURN(passphrase, Lift(ReadPassphraseFile(o.passphrase_file), kExitUsage));
  }
  crypto::KeyPair key = crypto::KeyPair::Generate();
  std::string pub = ToHex(key.public_key());
  if (o.encryption) {
    // The file holds a seed; the X25519 key is BoxKeyPair::FromSeed(seed), as
    // `network generate` writes an org's encryption.key.
    const crypto::BoxKeyPair box = crypto::BoxKeyPair::FromSeed(key.seed());
    CLI_RETURN_IF_ERROR(Lift(crypto::WriteKeyFile(o.out, key, passphrase), kExitUsage));
    CLI_RETURN_IF_ERROR(
        Lift(crypto::WritePublicKeyFile(o.out + ".pub", box.public_key()), kExitUsage));
    pub = ToHex(box.public_key());
    if (g.json) {
      nlohmann::ordered_json j;
      j["key_file"] = o.out;
      j["public_key_file"] = o.out + ".pub";
      j["encryption_public_key"] = pub;
      j["encrypted"] = passphrase.has_value();
      std::cout << j.dump(2) << "\n";
    } else {
      std::cout << fmt::format(
          "wrote {} ({}) and {}.pub\nX25519 encryption public key: {}\n", o.out,
          passphrase ? "encrypted with the passphrase" : "not encrypted, mode 0600", o.out, pub);
    }
    return kExitOk;
  }
  CLI_RETURN_IF_ERROR(Lift(WriteSigningKey(o.out, key, passphrase), kExitUsage));
  if (g.json) {
    nlohmann::ordered_json j;
    j["key_file"] = o.out;
    j["public_key_file"] = o.out + ".pub";
    j["public_key"] = pub;
    j["key_id"] = crypto::KeyId(key.public_key());
    j["encrypted"] = passphrase.has_value();
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << fmt::format(
        "wrote {} ({}) and {}.pub\npublic key: {}\nkey id:     {}\n", o.out,
        passphrase ? "encrypted with the passphrase" : "not encrypted, mode 0600", o.out, pub,
        crypto::KeyId(key.public_key()));
  }
  return kExitOk;
}

}  // namespace

void AddKeyCommands(CLI::App& app, CliContext& ctx) {
  auto o = std::make_shared<KeygenOptions>();
  auto* cmd = app.add_subcommand("keygen", "generate an Ed25519 signing key: FILE and FILE.pub");
  cmd->add_option("--out", o->out, "key file to write (FILE.pub gets the public key)")->required();
  cmd->add_option("--passphrase-file", o->passphrase_file,
                  "encrypt the key with the passphrase on this file's first line");
  cmd->add_flag("--force", o->force, "replace an existing key file");
  cmd->add_flag("--encryption", o->encryption,
                "an org's X25519 encryption key instead (FILE.pub: its public key, as genesis and "
                "governance add-org take it)");
  cmd->callback([&ctx, o] { ctx.run = [&ctx, o] { return RunKeygen(ctx.global, *o); }; });
}

}  // namespace licenced::cli
