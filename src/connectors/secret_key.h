// The server's secret key that seals connector credentials. It comes from the environment or
// from a key file, never from the database, so a database dump alone does not reveal tokens.
#pragma once

#include <mutex>
#include <optional>
#include <string>

#include "core/status.h"

namespace leadline::connectors {

struct SecretKey {
  std::string bytes;  // crypto::kSecretKeyBytes raw bytes
  std::string id;     // short fingerprint stored with each ciphertext (not secret)
};

// Where the key comes from, first match wins:
//   1. env LEADLINE_SECRET_KEY: 64 hex characters;
//   2. env LEADLINE_SECRET_KEY_FILE: a key file;
//   3. `default_file` (the server uses <data-dir>/secret.key).
// A key file holds the 32 key bytes, raw or as 64 hex characters. A missing key file is
// created with 32 random bytes and mode 0600 (atomically: concurrent servers agree on one key).
class SecretKeyProvider {
 public:
  explicit SecretKeyProvider(std::string default_file) : default_file_(std::move(default_file)) {}

  // Loads the key on first use and keeps it. Thread-safe. Errors (not cached, so a fixed
  // environment heals): kInvalidArgument for a malformed variable or file, kUnavailable when
  // the file cannot be read or created. Messages name the source, never the key.
  Result<SecretKey> Get();

 private:
  std::string default_file_;
  std::mutex mu_;
  std::optional<SecretKey> key_;  // GUARDED_BY(mu_)
};

// Reads `path`, creating it with a fresh random key when absent. Exposed for tests.
Result<std::string> LoadOrCreateKeyFile(const std::string& path);
// The fingerprint of a key ("k1:" + 16 hex digits of a domain-separated SHA-256).
std::string KeyFingerprint(const std::string& key_bytes);

}  // namespace leadline::connectors
