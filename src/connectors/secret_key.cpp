#include "connectors/secret_key.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/crypto.h"

namespace leadline::connectors {
namespace {

// Trailing whitespace (a newline added by an editor) is not part of a hex key.
std::string_view TrimRight(std::string_view s) {
  while (!s.empty() &&
         (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

std::optional<std::string> DecodeHexKey(std::string_view text) {
  auto key = crypto::FromHex(TrimRight(text));
  if (!key || key->size() != crypto::kSecretKeyBytes) return std::nullopt;
  return key;
}

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Unavailable(std::string("writing the key file failed: ") + std::strerror(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

// Writes a new key to a private temporary file, then links it into place: link() fails when
// the name exists, so two servers starting together cannot overwrite each other's key, and a
// reader never sees a half-written file.
Status CreateKeyFile(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path parent = fs::path(path).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);
  std::string tmp = path + ".tmp-" + crypto::ToHex(crypto::RandomBytes(6));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Unavailable("cannot create the secret key file " + path + ": " + std::strerror(errno));
  }
  std::string key = crypto::RandomBytes(crypto::kSecretKeyBytes);
  Status st = WriteAll(fd, key);
  crypto::Wipe(key);
  if (st.ok() && ::fsync(fd) != 0) st = Unavailable("syncing the secret key file failed");
  ::close(fd);
  if (st.ok() && ::link(tmp.c_str(), path.c_str()) != 0 && errno != EEXIST) {
    st = Unavailable("cannot create the secret key file " + path + ": " + std::strerror(errno));
  }
  ::unlink(tmp.c_str());
  if (st.ok()) spdlog::info("created secret key file {} (keep it: connector tokens need it)", path);
  return st;
}

}  // namespace

std::string KeyFingerprint(const std::string& key_bytes) {
  return "k1:" + crypto::Sha256Hex("leadline secret key id\n" + key_bytes).substr(0, 16);
}

Result<std::string> LoadOrCreateKeyFile(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    if (errno != ENOENT) {
      return Unavailable("cannot read the secret key file " + path + ": " + std::strerror(errno));
    }
    RETURN_IF_ERROR(CreateKeyFile(path));
    if (::stat(path.c_str(), &info) != 0) {
      return Unavailable("cannot read the secret key file " + path + ": " + std::strerror(errno));
    }
  }
  if ((info.st_mode & 077) != 0) {
    spdlog::warn("secret key file {} is readable by other users; chmod 600 it", path);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Unavailable("cannot read the secret key file " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  if (text.size() == crypto::kSecretKeyBytes) return text;
  if (auto key = DecodeHexKey(text)) {
    crypto::Wipe(text);
    return *key;
  }
  crypto::Wipe(text);
  return InvalidArgument("secret key file " + path +
                         " must hold 32 bytes, raw or as 64 hex characters");
}

Result<SecretKey> SecretKeyProvider::Get() {
  std::lock_guard lock(mu_);
  if (key_) return *key_;
  std::string bytes;
  if (const char* env = std::getenv("LEADLINE_SECRET_KEY"); env != nullptr && *env != '\0') {
    auto key = DecodeHexKey(env);
    if (!key) return InvalidArgument("LEADLINE_SECRET_KEY must be 64 hex characters");
    bytes = std::move(*key);
  } else {
    const char* file = std::getenv("LEADLINE_SECRET_KEY_FILE");
    std::string path = file != nullptr && *file != '\0' ? std::string(file) : default_file_;
    ASSIGN_OR_RETURN(bytes, LoadOrCreateKeyFile(path));
  }
  key_ = SecretKey{bytes, KeyFingerprint(bytes)};
  crypto::Wipe(bytes);
  return *key_;
}

}  // namespace leadline::connectors
