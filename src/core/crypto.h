// Cryptographic primitives (libsodium, kept inside crypto.cpp): password hashing with
// argon2id, random tokens, SHA-256, authenticated secret-key encryption. All functions are
// thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace leadline::crypto {

// Hashes a password with argon2id (libsodium's interactive limits); returns the encoded
// hash string ("$argon2id$v=19$..."). kInternal only when out of memory.
Result<std::string> HashPassword(std::string_view password);
// True when `password` matches `encoded_hash`. Constant-time; false on malformed hashes.
bool VerifyPassword(std::string_view password, std::string_view encoded_hash);

// `bytes` random bytes, base64url-encoded without padding, from the OS CSPRNG.
std::string RandomToken(size_t bytes = 32);
// Raw 32-byte SHA-256 digest.
std::string Sha256(std::string_view data);
// Lower-case hex SHA-256.
std::string Sha256Hex(std::string_view data);
std::string ToHex(std::string_view bytes);
// Decodes hex (either case); nullopt on odd length or a non-hex character.
std::optional<std::string> FromHex(std::string_view hex);

// `bytes` raw random bytes from the OS CSPRNG.
std::string RandomBytes(size_t bytes);

// Secret-key authenticated encryption: XChaCha20-Poly1305 (IETF AEAD). The key is
// kSecretKeyBytes raw bytes; the nonce is random per message (24 bytes, so random nonces
// never realistically repeat). `associated_data` is authenticated but not encrypted: opening
// needs the same bytes, which binds a ciphertext to its context (e.g. the organization id).
inline constexpr size_t kSecretKeyBytes = 32;
struct Sealed {
  std::string nonce;
  std::string ciphertext;  // includes the 16-byte authentication tag
};
// kInvalidArgument when the key has the wrong size.
Result<Sealed> SealSecret(std::string_view key, std::string_view plaintext,
                          std::string_view associated_data);
// The plaintext. kInvalidArgument when the key or nonce has the wrong size, or when the
// ciphertext does not authenticate (wrong key, wrong associated data, or altered bytes).
Result<std::string> OpenSecret(std::string_view key, std::string_view nonce,
                               std::string_view ciphertext, std::string_view associated_data);
// Overwrites `s` with zeros (not optimised away) and clears it.
void Wipe(std::string& s);

}  // namespace leadline::crypto
