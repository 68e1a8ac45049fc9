// Cryptographic primitives (libsodium, kept inside crypto.cpp): password hashing with
// argon2id, random tokens, SHA-256. All functions are thread-safe.
#pragma once

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

}  // namespace leadline::crypto
