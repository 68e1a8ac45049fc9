// The HTTP/1.1 server (Boost.Beast). Owns the listening socket and I/O threads and calls
// one Handler per request. Boost stays inside server.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "http/message.h"

namespace leadline::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 = pick a free port (tests)
  int threads = 0;       // 0 = hardware concurrency
  // Streamed bodies (Response::stream) sent at once, each on a worker thread rather than an
  // I/O thread; one more gets 503 with Retry-After. 0 = as many as `threads`.
  int max_streams = 0;
  // Requests for which `slow_request` returns true (a password hash, thousands of rows) run
  // their handler on a worker thread, at most `max_slow_handlers` at once (0 = as many as
  // `threads`) and the rest queued, so they never hold an I/O thread.
  std::function<bool(Method method, std::string_view path)> slow_request;
  int max_slow_handlers = 0;
  size_t max_body_bytes = 10 * 1024 * 1024;  // larger bodies -> 413 problem+json
  int read_timeout_seconds = 30;
  int idle_timeout_seconds = 60;  // keep-alive idle limit
  // Uploads: requests for which `spool_body` returns true have their body written to a new
  // file in `spool_dir` instead of memory, up to `max_upload_bytes` (413 beyond), within
  // `upload_timeout_seconds`. The handler finds the path in Request::body_file and may move
  // the file away; whatever is left there is deleted once the handler returns.
  std::function<bool(Method method, std::string_view path)> spool_body;
  std::string spool_dir;
  uint64_t max_upload_bytes = 512ull * 1024 * 1024;
  int upload_timeout_seconds = 3600;
};

class Server {
 public:
  // `handler` is called on I/O and worker threads concurrently; it must be thread-safe.
  // Exceptions escaping it become a 500 problem without details.
  Server(ServerOptions options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens; returns the bound port (useful with port 0).
  Result<uint16_t> Start();
  // Stops accepting, lets in-flight requests finish (up to `grace_seconds`), joins threads.
  // Idempotent. Must not be called from a handler (it joins the thread running it).
  void Stop(int grace_seconds = 10);
  uint16_t port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace leadline::http
