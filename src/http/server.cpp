// HTTP/1.1 server on Boost.Beast: one io_context shared by N threads, one asynchronous session
// per connection, each on its own strand; streamed bodies and slow handlers run on worker
// threads of their own (WorkerThreads). Boost is confined to this file.
#include "http/server.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <functional>
#include <limits>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "http/problem.h"

namespace leadline::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

// After a response that ends the connection, keep reading (and discarding) for a moment so
// a client still sending its body sees the response instead of a reset.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr size_t kMaxHeaderBytes = 16 * 1024;
constexpr size_t kFirstReadBytes = 4096;
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);
// Granularity at which a blocked streaming write notices that Stop gave up on it.
constexpr int kStreamPollSliceMs = 250;

Method ToMethod(bhttp::verb v) {
  switch (v) {
    case bhttp::verb::get:
      return Method::kGet;
    case bhttp::verb::post:
      return Method::kPost;
    case bhttp::verb::put:
      return Method::kPut;
    case bhttp::verb::patch:
      return Method::kPatch;
    case bhttp::verb::delete_:
      return Method::kDelete;
    case bhttp::verb::head:
      return Method::kHead;
    case bhttp::verb::options:
      return Method::kOptions;
    default:
      return Method::kOther;
  }
}

// RFC 9110 IMF-fixdate, built by hand because strftime's names follow the locale.
std::string HttpDate() {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t now = std::time(nullptr);
  std::tm t{};
  gmtime_r(&now, &t);
  return fmt::format("{}, {:02} {} {} {:02}:{:02}:{:02} GMT", kDays[t.tm_wday], t.tm_mday,
                     kMonths[t.tm_mon], t.tm_year + 1900, t.tm_hour, t.tm_min, t.tm_sec);
}

// Beast 1.74 speaks boost::string_view; the rest of the code base speaks std::string_view.
std::string_view ToStd(beast::string_view s) { return {s.data(), s.size()}; }

bool IEquals(std::string_view a, std::string_view b) {
  return beast::iequals(beast::string_view(a.data(), a.size()),
                        beast::string_view(b.data(), b.size()));
}

// Framing headers are computed here, never taken from a handler, so a handler cannot
// desynchronise the connection.
bool IsFramingHeader(std::string_view name) {
  return IEquals(name, "Content-Length") || IEquals(name, "Transfer-Encoding") ||
         IEquals(name, "Connection");
}

template <class Fields>
void FillHeaders(bhttp::header<false, Fields>& h, const Response& r, bool with_content_type) {
  h.set(bhttp::field::date, HttpDate());
  if (with_content_type && !r.content_type.empty())
    h.set(bhttp::field::content_type, r.content_type);
  for (const auto& [name, value] : r.headers) {
    if (name.find_first_of("\r\n:") != std::string::npos ||
        value.find_first_of("\r\n") != std::string::npos) {
      spdlog::warn("dropping response header with invalid characters: {}", name);
      continue;
    }
    if (IsFramingHeader(name)) continue;
    if (IEquals(name, "Content-Type")) {
      if (with_content_type) h.set(bhttp::field::content_type, value);
      continue;
    }
    h.insert(name, value);
  }
}

// Writes all of `data` to a non-blocking socket. Asio's synchronous writes have no timeout,
// and a stalled client must not pin an I/O thread forever. A non-positive timeout waits as
// long as it takes (or until `abandon`).
bool SendAll(int fd, std::string_view data, std::chrono::milliseconds timeout,
             const std::atomic<bool>& abandon) {
  const bool bounded = timeout.count() > 0;
  const auto deadline = Clock::now() + timeout;
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n > 0) {
      off += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (abandon.load()) return false;
      long long left = kStreamPollSliceMs;
      if (bounded) {
        left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) return false;
      }
      pollfd pfd{fd, POLLOUT, 0};
      int rc = ::poll(&pfd, 1, static_cast<int>(std::min<long long>(left, kStreamPollSliceMs)));
      if (rc < 0 && errno != EINTR) return false;
      if (rc > 0 && (pfd.revents & (POLLERR | POLLHUP | POLLNVAL)) && !(pfd.revents & POLLOUT)) {
        return false;
      }
      continue;
    }
    return false;
  }
  return true;
}

std::string RemoteIp(const tcp::socket& socket) {
  beast::error_code ec;
  tcp::endpoint ep = socket.remote_endpoint(ec);
  if (ec) return "";
  net::ip::address addr = ep.address();
  if (addr.is_v6() && addr.to_v6().is_v4_mapped()) {
    return net::ip::make_address_v4(net::ip::v4_mapped, addr.to_v6()).to_string();
  }
  return addr.to_string();
}

}  // namespace

// Named (not anonymous) because Server::Impl, which has external linkage, derives from it.
namespace server_internal {

class Session;

// Threads for work that must not hold an I/O thread: sending streamed bodies (a CSV export
// of a million leads, a client that reads slowly or not at all) and handlers known to be
// slow (a password hash, a change to thousands of leads). At most `limit` tasks run at once;
// threads start on demand and are reused.
class WorkerThreads {
 public:
  explicit WorkerThreads(int limit) : limit_(static_cast<size_t>(std::max(1, limit))) {}
  ~WorkerThreads() { Join(); }

  // Runs `task` on a worker. When `limit` tasks already run or wait, queues it if
  // `queue_when_busy`, else returns false with `task` untouched. False after Join too.
  bool Submit(std::function<void()>& task, bool queue_when_busy) {
    std::lock_guard lock(mu_);
    if (joined_ || (!queue_when_busy && pending_ >= limit_)) return false;
    ++pending_;
    queue_.push_back(std::move(task));
    // A waiting thread takes the task; start another while tasks outnumber waiting threads.
    if (queue_.size() > waiting_ && threads_.size() < limit_) {
      threads_.emplace_back([this] { Loop(); });
    }
    cv_.notify_one();
    return true;
  }

  // Runs the queued tasks, waits for them and joins the threads. Idempotent.
  void Join() {
    {
      std::lock_guard lock(mu_);
      joined_ = true;
      cv_.notify_all();
    }
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

 private:
  void Loop() {
    std::unique_lock lock(mu_);
    for (;;) {
      ++waiting_;
      cv_.wait(lock, [this] { return !queue_.empty() || joined_; });
      --waiting_;
      if (queue_.empty()) return;
      std::function<void()> task = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      task();
      task = nullptr;  // drops what the task captured (an export's connection) now
      lock.lock();
      --pending_;
    }
  }

  const size_t limit_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;  // GUARDED_BY(mu_)
  size_t pending_ = 0;                       // GUARDED_BY(mu_); tasks running or queued
  size_t waiting_ = 0;                       // GUARDED_BY(mu_); threads waiting for a task
  bool joined_ = false;                      // GUARDED_BY(mu_)
  std::vector<std::thread> threads_;         // started under mu_, joined by Join
};

// What sessions share with the server. Server::Impl derives from it, so these members outlive
// the io_context (destroyed first) and the sessions it still owns at that point.
struct ServerState {
  ServerState(ServerOptions o, Handler h)
      : options(std::move(o)),
        handler(std::move(h)),
        thread_count(options.threads > 0
                         ? options.threads
                         : std::max(1, static_cast<int>(std::thread::hardware_concurrency()))),
        downloads(options.max_streams > 0 ? options.max_streams : thread_count),
        slow_handlers(options.max_slow_handlers > 0 ? options.max_slow_handlers : thread_count) {}

  void Register(const std::shared_ptr<Session>& s) {
    std::lock_guard lock(mu);
    sessions.emplace(s.get(), s);
  }
  void Unregister(Session* s) {
    std::lock_guard lock(mu);
    sessions.erase(s);
    if (sessions.empty()) sessions_cv.notify_all();
  }
  std::vector<std::shared_ptr<Session>> LiveSessions() {
    std::vector<std::shared_ptr<Session>> out;
    std::lock_guard lock(mu);
    for (auto& [ptr, weak] : sessions) {
      if (auto s = weak.lock()) out.push_back(std::move(s));
    }
    return out;
  }

  const ServerOptions options;
  const Handler handler;
  const int thread_count;
  WorkerThreads downloads;      // streamed bodies; full: 503
  WorkerThreads slow_handlers;  // handlers of requests options.slow_request picks; full: queue
  std::atomic<bool> stopping{false};
  // Set when Stop's grace period ran out: streaming responses give up at their next write.
  std::atomic<bool> abandon_streams{false};

  std::mutex mu;
  std::condition_variable sessions_cv;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;  // GUARDED_BY(mu)
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, ServerState* server)
      : remote_ip_(RemoteIp(socket)), stream_(std::move(socket)), server_(server) {}

  ~Session() {
    RemoveSpoolFile();
    server_->Unregister(this);
  }

  net::any_io_executor executor() { return stream_.get_executor(); }

  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->WaitForRequest(); });
  }

  // Runs on the session's strand. Idle keep-alive connections close now; a request in
  // progress completes and then closes.
  void OnServerStop() {
    if (state_ == State::kIdle || state_ == State::kClosing) CloseNow();
  }

  // Runs on the session's strand once Stop's grace period is over. A body being sent by a
  // worker thread ends at its next write (abandon_streams) and the connection closes then;
  // closing the socket under that thread would let it write to a reused descriptor.
  void Abandon() {
    if (state_ != State::kStreaming) CloseNow();
  }

  // Closes immediately. On the strand, or from any thread once no I/O or worker thread runs.
  void CloseNow() {
    state_ = State::kClosed;
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

 private:
  enum class State { kIdle, kBusy, kStreaming, kClosing, kClosed };

  std::chrono::seconds ReadTimeout() const {
    return std::chrono::seconds(server_->options.read_timeout_seconds);
  }

  // A non-positive timeout in the options means "no timeout".
  void SetDeadline(std::chrono::seconds timeout) {
    if (timeout.count() > 0) {
      stream_.expires_after(timeout);
    } else {
      stream_.expires_never();
    }
  }

  // Waits for the first byte of the next request separately from reading it, so a quiet
  // keep-alive connection is governed by the idle timeout and an active one by the read
  // timeout.
  void WaitForRequest() {
    state_ = State::kIdle;
    if (server_->stopping.load()) {
      CloseNow();
      return;
    }
    if (buffer_.size() > 0) {  // a pipelined request is already buffered
      ReadHeader();
      return;
    }
    SetDeadline(first_request_ ? ReadTimeout()
                               : std::chrono::seconds(server_->options.idle_timeout_seconds));
    stream_.async_read_some(buffer_.prepare(kFirstReadBytes),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec || self->state_ == State::kClosed) {
                                self->CloseNow();
                                return;
                              }
                              self->buffer_.commit(n);
                              self->ReadHeader();
                            });
  }

  void ReadHeader() {
    state_ = State::kBusy;
    started_ = Clock::now();
    log_method_ = "-";
    log_target_ = "-";
    head_request_ = false;
    parser_.emplace();
    // The limit depends on the route (uploads may be larger), known once the header is in:
    // OnHeader checks Content-Length and sets the limit for the body.
    // (Beast compares Content-Length with an empty optional as over the limit: use the max.)
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    parser_->header_limit(kMaxHeaderBytes);
    // One deadline for the whole request, header and body.
    SetDeadline(ReadTimeout());
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) {
      HandleReadError(ec);
      return;
    }
    const auto& req = parser_->get();
    log_method_ = std::string(req.method_string());
    log_target_ = std::string(req.target());
    const bool spool = ShouldSpool(req);
    const uint64_t limit =
        spool ? server_->options.max_upload_bytes : server_->options.max_body_bytes;
    if (auto length = parser_->content_length(); length && *length > limit) {
      HandleReadError(bhttp::error::body_limit);
      return;
    }
    parser_->body_limit(limit);
    if (spool) {
      if (Status st = StartSpool(); !st.ok()) {
        SendResponse(ProblemResponse(st), req.version(), /*keep_alive=*/false);
        return;
      }
      if (file_parser_->is_done()) {
        Dispatch();
        return;
      }
    } else if (parser_->is_done()) {
      Dispatch();
      return;
    }
    // Clients that ask first (curl does for large bodies) would otherwise wait before sending.
    if (req.version() >= 11 && IEquals(ToStd(req[bhttp::field::expect]), "100-continue")) {
      auto cont = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_,
                                                                       req.version());
      bhttp::async_write(stream_, *cont,
                         [self = shared_from_this(), cont](beast::error_code ec, size_t) {
                           if (ec) {
                             self->CloseNow();
                             return;
                           }
                           self->ReadBody();
                         });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    auto done = [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) {
        self->HandleReadError(ec);
      } else {
        self->Dispatch();
      }
    };
    if (file_parser_) {
      bhttp::async_read(stream_, buffer_, *file_parser_, std::move(done));
    } else {
      bhttp::async_read(stream_, buffer_, *parser_, std::move(done));
    }
  }

  bool ShouldSpool(const bhttp::request<bhttp::string_body>& req) const {
    const auto& spool = server_->options.spool_body;
    if (!spool || server_->options.spool_dir.empty()) return false;
    std::string_view target = ToStd(req.target());
    std::optional<std::string> path = PercentDecode(target.substr(0, target.find('?')), false);
    return path && spool(ToMethod(req.method()), *path);
  }

  // Moves the header-only parser to one that writes the body to a new file under spool_dir.
  Status StartSpool() {
    file_parser_.emplace(std::move(*parser_));
    parser_.reset();
    file_parser_->body_limit(server_->options.max_upload_bytes);
    static std::atomic<uint64_t> counter{0};
    spool_path_ = fmt::format("{}/upload-{}-{}-{}.part", server_->options.spool_dir, ::getpid(),
                              counter.fetch_add(1), Clock::now().time_since_epoch().count());
    beast::error_code ec;
    file_parser_->get().body().open(spool_path_.c_str(), beast::file_mode::write, ec);
    if (ec) {
      spool_path_.clear();
      return Unavailable("cannot store the upload: " + ec.message());
    }
    SetDeadline(std::chrono::seconds(server_->options.upload_timeout_seconds));
    return Status();
  }

  void RemoveSpoolFile() {
    if (file_parser_) file_parser_.reset();  // closes the file
    if (!spool_path_.empty()) {
      ::unlink(spool_path_.c_str());
      spool_path_.clear();
    }
  }

  void HandleReadError(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      // The header is complete by now (the limit is checked against Content-Length or
      // while reading chunks), so the log line can name the request.
      const bool upload = file_parser_.has_value() || (parser_ && ShouldSpool(parser_->get()));
      // An upload refused by its Content-Length is still in the header-only parser.
      const auto& head = file_parser_ ? file_parser_->get().base() : parser_->get().base();
      log_method_ = std::string(head.method_string());
      log_target_ = std::string(head.target());
      Status st(
          StatusCode::kPayloadTooLarge,
          upload ? fmt::format("upload exceeds {} bytes", server_->options.max_upload_bytes)
                 : fmt::format("request body exceeds {} bytes", server_->options.max_body_bytes));
      RemoveSpoolFile();
      SendResponse(ProblemResponse(st), 11, /*keep_alive=*/false);
      return;
    }
    RemoveSpoolFile();
    if (ec == bhttp::error::header_limit) {
      SendResponse(ProblemResponse(InvalidArgument("request header fields too large")), 11, false);
      return;
    }
    // The peer closed or went silent mid-request, or Stop cancelled us: nobody to answer.
    if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
        ec == beast::error::timeout ||
        ec.category() != bhttp::make_error_code(bhttp::error::bad_target).category()) {
      CloseNow();
      return;
    }
    SendResponse(ProblemResponse(InvalidArgument("malformed HTTP request: " + ec.message())), 11,
                 false);
  }

  void Dispatch() {
    Request req;
    unsigned version = 11;
    bool client_keep_alive = false;
    if (file_parser_) {
      auto& msg = file_parser_->get();
      msg.body().close();
      FillRequest(msg, req, version, client_keep_alive);
      req.body_file = spool_path_;
    } else {
      auto& msg = parser_->get();
      FillRequest(msg, req, version, client_keep_alive);
      req.body = std::move(msg.body());
    }
    parser_.reset();
    std::string target = req.target;
    std::string_view target_view = target;
    size_t q = target_view.find('?');
    std::optional<std::string> path = PercentDecode(target_view.substr(0, q), false);
    if (q != std::string_view::npos) req.query = ParseQueryString(target_view.substr(q + 1));

    if (!path) {
      Respond(ProblemResponse(InvalidArgument("malformed percent-encoding in request path")),
              version, client_keep_alive);
      return;
    }
    req.path = std::move(*path);
    const auto& slow = server_->options.slow_request;
    if (slow && slow(req.method, req.path)) {
      // On a worker thread; the session stays kBusy and its socket untouched meanwhile.
      std::function<void()> run = [self = shared_from_this(), req = std::move(req), version,
                                   client_keep_alive]() mutable {
        net::post(self->executor(),
                  [self, res = self->CallHandler(req), version, client_keep_alive]() mutable {
                    self->Respond(std::move(res), version, client_keep_alive);
                  });
      };
      if (server_->slow_handlers.Submit(run, /*queue_when_busy=*/true)) return;
      // Only when Stop already joined the workers: run it here (`run` is still intact).
      run();
      return;
    }
    Respond(CallHandler(req), version, client_keep_alive);
  }

  void Respond(Response res, unsigned version, bool client_keep_alive) {
    RemoveSpoolFile();
    // Checked after the handler so a Stop during a slow request still closes the connection.
    bool keep_alive = client_keep_alive && !server_->stopping.load();
    if (res.stream) {
      SendStreamed(res, version, keep_alive);
    } else {
      SendResponse(std::move(res), version, keep_alive);
    }
  }

  template <class Body>
  void FillRequest(bhttp::request<Body>& msg, Request& req, unsigned& version, bool& keep_alive) {
    version = msg.version();
    keep_alive = msg.keep_alive();
    req.method = ToMethod(msg.method());
    head_request_ = req.method == Method::kHead;
    req.target = std::string(msg.target());
    for (const auto& field : msg) {
      req.headers.Add(std::string(field.name_string()), std::string(field.value()));
    }
    req.remote_ip = remote_ip_;
  }

  Response CallHandler(Request& req) {
    try {
      return server_->handler(req);
    } catch (const std::exception& e) {
      return ProblemResponse(
          Internal(fmt::format("handler for {} {} threw: {}", log_method_, log_target_, e.what())));
    } catch (...) {
      return ProblemResponse(Internal(fmt::format(
          "handler for {} {} threw a non-standard exception", log_method_, log_target_)));
    }
  }

  void SendResponse(Response r, unsigned version, bool keep_alive) {
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
    res->result(static_cast<unsigned>(r.status));
    res->version(version);
    // These statuses must not carry a body (and Beast refuses to frame one).
    bool bodiless = r.status == 204 || r.status == 304 || (r.status >= 100 && r.status < 200);
    FillHeaders(res->base(), r, !bodiless);
    const size_t body_size = r.body.size();
    if (!bodiless && !head_request_) res->body() = std::move(r.body);
    res->keep_alive(keep_alive);
    res->prepare_payload();
    // A HEAD answer announces the length the GET would have, without sending it.
    if (!bodiless && head_request_) res->content_length(body_size);

    const int status = r.status;
    SetDeadline(ReadTimeout());
    bhttp::async_write(
        stream_, *res,
        [self = shared_from_this(), res, keep_alive, status](beast::error_code ec, size_t) {
          self->LogRequest(status);
          if (ec) {
            self->CloseNow();
          } else if (!keep_alive) {
            self->CloseGracefully();
          } else {
            self->first_request_ = false;
            self->WaitForRequest();
          }
        });
  }

  // The BodyWriter is synchronous by contract, so the body is written with blocking sends,
  // on a worker thread (WorkerThreads::downloads) rather than this I/O thread. Meanwhile the
  // session is kStreaming: no asynchronous operation is pending on the socket and nothing on the
  // strand touches it, until FinishStream runs back on the strand.
  void SendStreamed(Response& r, unsigned version, bool keep_alive) {
    // HTTP/1.0 has no chunked encoding: the body ends when the connection does.
    const bool chunked = version >= 11;
    if (!chunked) keep_alive = false;

    bhttp::response<bhttp::empty_body> head;
    head.result(static_cast<unsigned>(r.status));
    head.version(version);
    FillHeaders(head.base(), r, true);
    head.keep_alive(keep_alive);
    if (chunked) head.chunked(true);
    std::ostringstream os;
    os << head.base();

    std::function<void()> send = [self = shared_from_this(), writer = std::move(r.stream),
                                  head_bytes = os.str(), status = r.status, chunked,
                                  keep_alive]() mutable {
      const bool ok = self->WriteStream(head_bytes, writer, chunked);
      writer = nullptr;  // ends what the body held (an export's transaction) before the post
      net::post(self->executor(),
                [self, ok, status, keep_alive] { self->FinishStream(ok, status, keep_alive); });
    };
    state_ = State::kStreaming;
    if (!server_->downloads.Submit(send, /*queue_when_busy=*/false)) {
      // Every download worker is busy: refuse rather than tie up this I/O thread.
      // `send` still owns the writer; dropping it releases what the body held.
      state_ = State::kBusy;
      send = nullptr;
      Response busy = ProblemResponse(
          Unavailable("too many downloads in progress on this server; retry shortly"));
      busy.SetHeader("Retry-After", "5");
      SendResponse(std::move(busy), version, keep_alive);
    }
  }

  // On a worker thread: the head, the body in chunks, the last chunk. False when the client
  // went away or stalled past the read timeout, the writer threw, or Stop gave up on it.
  bool WriteStream(const std::string& head_bytes, const BodyWriter& writer, bool chunked) {
    const std::atomic<bool>& abandon = server_->abandon_streams;
    beast::error_code ec;
    stream_.socket().non_blocking(true, ec);
    const int fd = stream_.socket().native_handle();
    const auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(ReadTimeout());
    bool ok = !ec && SendAll(fd, head_bytes, timeout, abandon);

    std::string frame;
    auto sink = [&](std::string_view piece) -> bool {
      if (!ok || abandon.load()) return ok = false;
      if (piece.empty()) return true;  // an empty chunk would end the body
      if (!chunked) return ok = SendAll(fd, piece, timeout, abandon);
      frame.clear();
      fmt::format_to(std::back_inserter(frame), "{:x}\r\n", piece.size());
      frame.append(piece);
      frame.append("\r\n");
      return ok = SendAll(fd, frame, timeout, abandon);
    };
    if (ok && !head_request_) {
      try {
        writer(sink);
      } catch (const std::exception& e) {
        spdlog::error("stream writer for {} {} threw: {}", log_method_, log_target_, e.what());
        ok = false;
      } catch (...) {
        spdlog::error("stream writer for {} {} threw a non-standard exception", log_method_,
                      log_target_);
        ok = false;
      }
    }
    if (ok && chunked && !head_request_) ok = SendAll(fd, "0\r\n\r\n", timeout, abandon);
    return ok;
  }

  // Back on the strand after WriteStream.
  void FinishStream(bool ok, int status, bool keep_alive) {
    LogRequest(status);
    // A truncated body must not be followed by another response: the client would misparse it.
    if (!ok || server_->abandon_streams.load()) {
      CloseNow();
    } else if (!keep_alive) {
      CloseGracefully();
    } else {
      first_request_ = false;
      WaitForRequest();
    }
  }

  void CloseGracefully() {
    state_ = State::kClosing;
    if (server_->abandon_streams.load()) {
      CloseNow();
      return;
    }
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) {
      CloseNow();
      return;
    }
    stream_.expires_after(kLingerTime);
    Drain();
  }

  void Drain() {
    stream_.async_read_some(net::buffer(drain_),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (ec || self->state_ == State::kClosed) {
                                self->CloseNow();
                              } else {
                                self->Drain();
                              }
                            });
  }

  void LogRequest(int status) {
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - started_).count();
    spdlog::info("{} {} {} {:.1f}ms {}", log_method_, log_target_, status, ms, remote_ip_);
  }

  const std::string remote_ip_;
  beast::tcp_stream stream_;
  ServerState* const server_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  // Replaces parser_ after the header when the request's body is spooled to a file.
  std::optional<bhttp::request_parser<bhttp::file_body>> file_parser_;
  std::string spool_path_;
  State state_ = State::kIdle;
  bool first_request_ = true;
  bool head_request_ = false;
  Clock::time_point started_ = Clock::now();
  std::string log_method_ = "-";
  std::string log_target_ = "-";
  std::array<char, 4096> drain_{};
};

}  // namespace server_internal

struct Server::Impl : server_internal::ServerState {
  Impl(ServerOptions o, Handler h) : ServerState(std::move(o), std::move(h)), ioc(thread_count) {}

  void DoAccept();
  void OnAccept(beast::error_code ec, tcp::socket socket);

  std::atomic<uint16_t> bound_port{0};
  net::io_context ioc;
  std::optional<tcp::acceptor> acceptor;  // runs on its own strand
  std::optional<net::steady_timer> accept_retry;
  std::vector<std::thread> threads;

  std::mutex lifecycle_mu;  // serialises Start and Stop
  bool started = false;     // GUARDED_BY(lifecycle_mu)
  bool stopped = false;     // GUARDED_BY(lifecycle_mu)
};

void Server::Impl::DoAccept() {
  acceptor->async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    OnAccept(ec, std::move(socket));
  });
}

void Server::Impl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (!acceptor->is_open() || ec == net::error::operation_aborted) return;
  if (ec) {
    // Typically out of file descriptors: back off instead of spinning on the error.
    spdlog::warn("accept failed: {}", ec.message());
    accept_retry->expires_after(kAcceptRetryDelay);
    accept_retry->async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec && acceptor->is_open()) DoAccept();
    });
    return;
  }
  if (stopping.load()) return;  // the socket closes as it goes out of scope
  beast::error_code opt_ec;
  socket.set_option(tcp::no_delay(true), opt_ec);
  auto session = std::make_shared<server_internal::Session>(std::move(socket), this);
  Register(session);
  session->Start();
  DoAccept();
}

Server::Server(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

Server::~Server() { Stop(); }

uint16_t Server::port() const { return impl_->bound_port.load(); }

Result<uint16_t> Server::Start() {
  Impl& s = *impl_;
  std::lock_guard lifecycle(s.lifecycle_mu);
  if (s.started) return Status(StatusCode::kInternal, "server already started");
  const std::string& host = s.options.host;
  const uint16_t port = s.options.port;

  beast::error_code ec;
  tcp::endpoint endpoint;
  net::ip::address address = net::ip::make_address(host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, port);
  } else {
    tcp::resolver resolver(s.ioc);
    auto results = resolver.resolve(host, std::to_string(port), ec);
    if (ec || results.empty()) {
      return InvalidArgument(fmt::format("cannot resolve listen address {}: {}", host,
                                         ec ? ec.message() : "no addresses"));
    }
    endpoint = results.begin()->endpoint();
  }

  auto fail = [&](std::string_view what) {
    s.acceptor.reset();
    s.accept_retry.reset();
    if (ec == net::error::address_in_use) {
      return Unavailable(fmt::format("cannot listen on {}:{}: address already in use", host, port));
    }
    return Unavailable(
        fmt::format("cannot listen on {}:{}: {}: {}", host, port, what, ec.message()));
  };
  s.acceptor.emplace(net::make_strand(s.ioc));
  s.accept_retry.emplace(s.acceptor->get_executor());
  if (s.acceptor->open(endpoint.protocol(), ec)) return fail("open");
  if (s.acceptor->set_option(net::socket_base::reuse_address(true), ec)) return fail("setsockopt");
  if (s.acceptor->bind(endpoint, ec)) return fail("bind");
  if (s.acceptor->listen(net::socket_base::max_listen_connections, ec)) return fail("listen");
  uint16_t bound = s.acceptor->local_endpoint(ec).port();
  if (ec) return fail("local_endpoint");
  s.bound_port = bound;
  s.started = true;

  s.DoAccept();
  s.threads.reserve(s.thread_count);
  for (int i = 0; i < s.thread_count; ++i) {
    s.threads.emplace_back([&s] {
      // Handlers catch their own exceptions; this only guards the loop against library bugs.
      for (;;) {
        try {
          s.ioc.run();
          return;
        } catch (const std::exception& e) {
          spdlog::error("I/O thread caught exception: {}", e.what());
        }
      }
    });
  }
  spdlog::info("listening on {}:{} with {} threads", host, bound, s.thread_count);
  return bound;
}

void Server::Stop(int grace_seconds) {
  Impl& s = *impl_;
  std::lock_guard lifecycle(s.lifecycle_mu);
  if (!s.started || s.stopped) return;
  s.stopped = true;
  s.stopping = true;

  net::post(s.acceptor->get_executor(), [&s] {
    beast::error_code ec;
    s.acceptor->close(ec);
    s.accept_retry->cancel();
  });
  for (auto& session : s.LiveSessions()) {
    net::post(session->executor(), [session] { session->OnServerStop(); });
  }

  {
    std::unique_lock lock(s.mu);
    s.sessions_cv.wait_until(lock, Clock::now() + std::chrono::seconds(std::max(0, grace_seconds)),
                             [&s] { return s.sessions.empty(); });
  }
  s.abandon_streams = true;
  auto remaining = s.LiveSessions();
  if (!remaining.empty()) {
    spdlog::warn("stop: grace period over, closing {} connection(s)", remaining.size());
    for (auto& session : remaining) {
      net::post(session->executor(), [session] { session->Abandon(); });
    }
  }
  // Bodies being sent end at their next write now; their sessions close on their strands.
  // Slow handlers still running finish (their answers go out while the I/O threads run).
  s.downloads.Join();
  s.slow_handlers.Join();

  s.ioc.stop();
  // Joining waits for handlers still running; they cannot be interrupted.
  for (auto& t : s.threads) t.join();
  s.threads.clear();

  // No I/O or worker thread runs any more, so sockets can be closed from here.
  for (auto& session : remaining) session->CloseNow();
  remaining.clear();
  beast::error_code ec;
  s.acceptor->close(ec);
  spdlog::info("server stopped");
}

}  // namespace leadline::http
