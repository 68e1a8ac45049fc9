// End-to-end tests of the HTTP server over real loopback sockets. The client is plain POSIX
// sockets on purpose: it must not share parsing code with the server it checks.
#include "http/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "http/json.h"

namespace leadline::http {
namespace {

using namespace std::chrono_literals;

struct RawResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  std::optional<std::string> Header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (k.size() == name.size() &&
          std::equal(k.begin(), k.end(), name.begin(),
                     [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
        return v;
      }
    }
    return std::nullopt;
  }
};

// A deliberately small HTTP/1.1 client: enough framing (Content-Length, chunked, close) to
// check what the server puts on the wire.
class RawClient {
 public:
  explicit RawClient(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{5, 0};  // no test may hang on a silent server
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~RawClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return connected_; }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // `head_request`: the response answers a HEAD, so it has no body whatever its headers say.
  std::optional<RawResponse> ReadResponse(bool head_request = false) {
    auto status_line = ReadLine();
    if (!status_line || status_line->rfind("HTTP/1.", 0) != 0 || status_line->size() < 12) {
      return std::nullopt;
    }
    RawResponse r;
    r.status = std::stoi(status_line->substr(9, 3));
    for (;;) {
      auto line = ReadLine();
      if (!line) return std::nullopt;
      if (line->empty()) break;
      size_t colon = line->find(':');
      if (colon == std::string::npos) return std::nullopt;
      std::string value = line->substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      r.headers.emplace_back(line->substr(0, colon), value);
    }
    if (head_request || r.status / 100 == 1 || r.status == 204 || r.status == 304) return r;
    if (r.Header("Transfer-Encoding") == "chunked") {
      for (;;) {
        auto size_line = ReadLine();
        if (!size_line) return std::nullopt;
        size_t size = std::stoul(*size_line, nullptr, 16);
        if (size == 0) {
          auto trailer_end = ReadLine();
          if (!trailer_end || !trailer_end->empty()) return std::nullopt;
          return r;
        }
        if (!ReadExactly(size + 2)) return std::nullopt;
        r.body.append(buf_, 0, size);
        buf_.erase(0, size + 2);
      }
    }
    if (auto cl = r.Header("Content-Length")) {
      size_t n = std::stoul(*cl);
      if (!ReadExactly(n)) return std::nullopt;
      r.body = buf_.substr(0, n);
      buf_.erase(0, n);
      return r;
    }
    while (Fill()) {
    }
    r.body = std::move(buf_);
    buf_.clear();
    return r;
  }

  // True when the server ended the connection (orderly close or reset) with nothing unread.
  bool ServerClosed() {
    if (!buf_.empty()) return false;
    char c;
    ssize_t n = ::recv(fd_, &c, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }

 private:
  bool Fill() {
    char chunk[8192];
    ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) return false;
    buf_.append(chunk, static_cast<size_t>(n));
    return true;
  }
  bool ReadExactly(size_t n) {
    while (buf_.size() < n) {
      if (!Fill()) return false;
    }
    return true;
  }
  std::optional<std::string> ReadLine() {
    for (;;) {
      size_t pos = buf_.find("\r\n");
      if (pos != std::string::npos) {
        std::string line = buf_.substr(0, pos);
        buf_.erase(0, pos + 2);
        return line;
      }
      if (!Fill()) return std::nullopt;
    }
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string buf_;
};

std::string Get(std::string_view target, std::string_view extra_headers = "") {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra_headers) +
         "\r\n";
}

std::string Post(std::string_view target, std::string_view body) {
  return "POST " + std::string(target) + " HTTP/1.1\r\nHost: test\r\nContent-Type: text/plain\r\n" +
         "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

class ServerTest : public ::testing::Test {
 protected:
  void StartServer(Handler handler, ServerOptions options = {}) {
    options.host = "127.0.0.1";
    options.port = 0;
    options.threads = 2;
    server_ = std::make_unique<Server>(options, std::move(handler));
    auto port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.status().ToString();
    port_ = *port;
    ASSERT_EQ(server_->port(), port_);
    ASSERT_NE(port_, 0);
  }

  // Captures log output; read it only after the server stopped (it logs from its threads).
  void CaptureLogs() {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(logs_);
    previous_logger_ = spdlog::default_logger();
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", sink));
  }

  void TearDown() override {
    server_.reset();
    if (previous_logger_) spdlog::set_default_logger(previous_logger_);
  }

  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
  std::ostringstream logs_;
  std::shared_ptr<spdlog::logger> previous_logger_;
};

Response Text(std::string body) {
  Response r;
  r.content_type = "text/plain";
  r.body = std::move(body);
  return r;
}

TEST_F(ServerTest, GetRoundTripWithKeepAlive) {
  StartServer([](Request& req) {
    Response r = Text(std::string(MethodName(req.method)) + " " + req.path + " " +
                      std::string(req.headers.Get("x-test").value_or("-")) + " " + req.remote_ip);
    r.SetHeader("X-Extra", "yes");
    return r;
  });
  RawClient c(port_);
  ASSERT_TRUE(c.connected());

  ASSERT_TRUE(c.Send(Get("/first", "X-Test: abc\r\n")));
  auto r1 = c.ReadResponse();
  ASSERT_TRUE(r1);
  EXPECT_EQ(r1->status, 200);
  EXPECT_EQ(r1->body, "GET /first abc 127.0.0.1");
  EXPECT_EQ(r1->Header("Content-Type"), "text/plain");
  EXPECT_EQ(r1->Header("Content-Length"), std::to_string(r1->body.size()));
  EXPECT_EQ(r1->Header("X-Extra"), "yes");
  EXPECT_TRUE(r1->Header("Date").has_value());
  EXPECT_NE(r1->Header("Connection"), "close");

  // Same connection again.
  ASSERT_TRUE(c.Send(Get("/second")));
  auto r2 = c.ReadResponse();
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->status, 200);
  EXPECT_EQ(r2->body, "GET /second - 127.0.0.1");
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
  StartServer([](Request& req) { return Text(req.path); });
  RawClient c(port_);
  ASSERT_TRUE(c.Send(Get("/a") + Get("/b") + Get("/c")));
  for (const char* want : {"/a", "/b", "/c"}) {
    auto r = c.ReadResponse();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, want);
  }
}

TEST_F(ServerTest, ConnectionCloseIsHonoured) {
  StartServer([](Request&) { return Text("bye"); });
  RawClient c(port_);
  ASSERT_TRUE(c.Send(Get("/", "Connection: close\r\n")));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "bye");
  EXPECT_EQ(r->Header("Connection"), "close");
  EXPECT_TRUE(c.ServerClosed());
}

TEST_F(ServerTest, PathAndQueryAreDecoded) {
  StartServer([](Request& req) {
    json::Writer w;
    w.BeginObject().Field("path", req.path).Field("target", req.target);
    w.Key("query").BeginArray();
    for (const auto& [k, v] : req.query) w.BeginArray().String(k).String(v).EndArray();
    w.EndArray();
    w.Key("tags").BeginArray();
    for (auto t : req.QueryParams("tag")) w.String(t);
    w.EndArray();
    w.Field("q", req.QueryParam("q").value_or("-"));
    w.EndObject();
    Response r;
    r.body = w.Take();
    return r;
  });
  RawClient c(port_);
  ASSERT_TRUE(c.Send(Get("/api/leads/a%20b?status=new&tag=x&tag=y%2Bz&q=John+Smith&empty")));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("Content-Type"), "application/json");
  EXPECT_EQ(
      r->body,
      R"({"path":"/api/leads/a b","target":"/api/leads/a%20b?status=new&tag=x&tag=y%2Bz&q=John+Smith&empty",)"
      R"("query":[["status","new"],["tag","x"],["tag","y+z"],["q","John Smith"],["empty",""]],)"
      R"("tags":["x","y+z"],"q":"John Smith"})");
}

TEST_F(ServerTest, MalformedPathEscapeIs400) {
  std::atomic<int> calls{0};
  StartServer([&](Request&) {
    ++calls;
    return Text("no");
  });
  RawClient c(port_);
  ASSERT_TRUE(c.Send(Get("/api/leads/%zz")));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->Header("Content-Type"), "application/problem+json");
  EXPECT_EQ(calls.load(), 0);
}

TEST_F(ServerTest, RequestBodiesAreDelivered) {
  StartServer([](Request& req) {
    return Text(std::string(MethodName(req.method)) + ":" + req.body + ":" +
                std::string(req.headers.Get("content-type").value_or("")));
  });
  RawClient c(port_);
  ASSERT_TRUE(c.Send(Post("/echo", "hello body")));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "POST:hello body:text/plain");

  ASSERT_TRUE(
      c.Send("PATCH /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
             "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"));
  r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "PATCH:hello world:");
}

TEST_F(ServerTest, Expect100ContinueIsAnswered) {
  StartServer([](Request& req) { return Text(req.body); });
  RawClient c(port_);
  ASSERT_TRUE(
      c.Send("POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
  auto interim = c.ReadResponse();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(c.Send("12345"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "12345");
}

TEST_F(ServerTest, BodyAtTheLimitIsAccepted) {
  ServerOptions options;
  options.max_body_bytes = 1024;
  StartServer([](Request& req) { return Text(std::to_string(req.body.size())); }, options);
  RawClient c(port_);
  ASSERT_TRUE(c.Send(Post("/upload", std::string(1024, 'x'))));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "1024");
}

constexpr std::string_view kTooLargeBody =
    R"({"type":"https://leadline.dev/problems/payload-too-large","title":"Payload Too Large",)"
    R"("status":413,"detail":"request body exceeds 1024 bytes"})";

TEST_F(ServerTest, OversizedBodyByContentLengthIs413AndCloses) {
  ServerOptions options;
  options.max_body_bytes = 1024;
  std::atomic<int> calls{0};
  StartServer(
      [&](Request&) {
        ++calls;
        return Text("no");
      },
      options);
  RawClient c(port_);
  ASSERT_TRUE(c.Send(Post("/upload", std::string(4096, 'x'))));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->Header("Content-Type"), "application/problem+json");
  EXPECT_EQ(r->Header("Connection"), "close");
  EXPECT_EQ(r->body, kTooLargeBody);
  EXPECT_TRUE(c.ServerClosed());
  EXPECT_EQ(calls.load(), 0);
}

TEST_F(ServerTest, HugeBodyStillGets413) {
  // The client keeps sending well past the limit; it must still see the answer.
  ServerOptions options;
  options.max_body_bytes = 1024;
  StartServer([](Request&) { return Text("no"); }, options);
  RawClient c(port_);
  ASSERT_TRUE(c.Send(Post("/upload", std::string(8 * 1024 * 1024, 'x'))));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->body, kTooLargeBody);
}

TEST_F(ServerTest, OversizedChunkedBodyIs413AndCloses) {
  ServerOptions options;
  options.max_body_bytes = 1024;
  StartServer([](Request&) { return Text("no"); }, options);
  RawClient c(port_);
  std::string req = "POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 4; ++i) req += "200\r\n" + std::string(512, 'y') + "\r\n";
  req += "0\r\n\r\n";
  ASSERT_TRUE(c.Send(req));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->body, kTooLargeBody);
  EXPECT_TRUE(c.ServerClosed());
}

// Uploads (bodies spooled to a file) have their own limit; a refused one names the request in
// the access log and leaves no file behind, whether Content-Length or the chunks gave it away.
class SpooledUploadTest : public ServerTest {
 protected:
  void StartUploads() {
    spool_dir_ = ::testing::TempDir() + "/spool-" + std::to_string(::getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(spool_dir_);
    std::filesystem::create_directories(spool_dir_);
    ServerOptions options;
    options.max_body_bytes = 64;
    options.max_upload_bytes = 1024;
    options.spool_dir = spool_dir_;
    options.spool_body = [](Method, std::string_view path) { return path == "/upload"; };
    CaptureLogs();
    StartServer(
        [this](Request&) {
          ++calls_;
          return Text("no");
        },
        options);
  }

  void ExpectRefused(const std::string& request) {
    RawClient c(port_);
    ASSERT_TRUE(c.Send(request));
    auto r = c.ReadResponse();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
    auto body = json::Parse(r->body);
    ASSERT_TRUE(body.ok()) << r->body;
    EXPECT_EQ(body->Find("detail")->as_string(), "upload exceeds 1024 bytes");
    EXPECT_TRUE(c.ServerClosed());
    EXPECT_EQ(calls_.load(), 0);
    server_->Stop();
    EXPECT_TRUE(std::filesystem::is_empty(spool_dir_)) << "a refused upload left its file";
    const std::string logs = logs_.str();
    EXPECT_NE(logs.find("POST /upload?kind=csv 413"), std::string::npos) << logs;
    std::filesystem::remove_all(spool_dir_);
  }

  std::string spool_dir_;
  std::atomic<int> calls_{0};
};

TEST_F(SpooledUploadTest, OversizedByContentLengthIs413) {
  StartUploads();
  ExpectRefused(Post("/upload?kind=csv", std::string(4096, 'x')));
}

TEST_F(SpooledUploadTest, OversizedChunkedIs413) {
  StartUploads();
  std::string req =
      "POST /upload?kind=csv HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 4; ++i) req += "200\r\n" + std::string(512, 'y') + "\r\n";
  req += "0\r\n\r\n";
  ExpectRefused(req);
}

TEST_F(ServerTest, GarbageRequestIs400AndCloses) {
  std::atomic<int> calls{0};
  StartServer([&](Request&) {
    ++calls;
    return Text("no");
  });
  RawClient c(port_);
  ASSERT_TRUE(c.Send("this is not http at all\r\n\r\n"));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->Header("Content-Type"), "application/problem+json");
  auto body = json::Parse(r->body);
  ASSERT_TRUE(body.ok()) << r->body;
  EXPECT_EQ(body->Find("status")->as_int(), 400);
  EXPECT_EQ(body->Find("title")->as_string(), "Bad Request");
  EXPECT_TRUE(c.ServerClosed());
  EXPECT_EQ(calls.load(), 0);
}

TEST_F(ServerTest, HandlerExceptionIs500WithoutDetails) {
  CaptureLogs();
  StartServer([](Request& req) -> Response {
    if (req.path == "/boom") throw std::runtime_error("secret-db-password leaked");
    return Text("fine");
  });
  RawClient c(port_);
  ASSERT_TRUE(c.Send(Get("/boom")));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->Header("Content-Type"), "application/problem+json");
  EXPECT_EQ(r->body.find("secret"), std::string::npos);
  auto body = json::Parse(r->body);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(body->Find("detail")->as_string(), "internal error");
  EXPECT_EQ(body->Find("title")->as_string(), "Internal Server Error");

  // The connection survives a failed handler.
  ASSERT_TRUE(c.Send(Get("/ok")));
  r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "fine");

  server_->Stop();
  std::string logs = logs_.str();
  EXPECT_NE(logs.find("secret-db-password leaked"), std::string::npos) << logs;
  EXPECT_NE(logs.find("GET /boom 500"), std::string::npos) << logs;
  EXPECT_NE(logs.find("GET /ok 200"), std::string::npos) << logs;
}

TEST_F(ServerTest, StreamedResponseIsChunkedAndComplete) {
  StartServer([](Request& req) {
    if (req.path != "/export") return Text("plain");
    Response r;
    r.content_type = "text/csv";
    r.stream = [](const std::function<bool(std::string_view)>& sink) {
      sink("id,name\n");
      sink("");  // must not end the body early
      for (int i = 0; i < 2000; ++i) {
        if (!sink(std::to_string(i) + ",lead " + std::to_string(i) + "\n")) return;
      }
    };
    return r;
  });
  std::string expected = "id,name\n";
  for (int i = 0; i < 2000; ++i)
    expected += std::to_string(i) + ",lead " + std::to_string(i) + "\n";

  RawClient c(port_);
  ASSERT_TRUE(c.Send(Get("/export")));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("Transfer-Encoding"), "chunked");
  EXPECT_EQ(r->Header("Content-Type"), "text/csv");
  EXPECT_FALSE(r->Header("Content-Length").has_value());
  EXPECT_EQ(r->body, expected);

  ASSERT_TRUE(c.Send(Get("/after")));
  r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "plain");
}

TEST_F(ServerTest, StreamToHttp10ClientEndsWithClose) {
  StartServer([](Request&) {
    Response r;
    r.content_type = "text/plain";
    r.stream = [](const std::function<bool(std::string_view)>& sink) {
      sink("one ");
      sink("two");
    };
    return r;
  });
  RawClient c(port_);
  ASSERT_TRUE(c.Send("GET /old HTTP/1.0\r\n\r\n"));
  auto r = c.ReadResponse();  // no length, no chunks: the body runs to the close
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->Header("Transfer-Encoding").has_value());
  EXPECT_EQ(r->body, "one two");
}

TEST_F(ServerTest, StreamWriterExceptionCutsTheConnection) {
  StartServer([](Request&) {
    Response r;
    r.stream = [](const std::function<bool(std::string_view)>& sink) {
      sink("partial");
      throw std::runtime_error("export failed");
    };
    return r;
  });
  RawClient c(port_);
  ASSERT_TRUE(c.Send(Get("/export")));
  // The status line was already sent; a body without its final chunk tells the client.
  EXPECT_FALSE(c.ReadResponse().has_value());
}

TEST_F(ServerTest, StreamWriterSeesClientGoAway) {
  std::promise<bool> finished;
  StartServer([&](Request&) {
    Response r;
    r.stream = [&](const std::function<bool(std::string_view)>& sink) {
      std::string piece(64 * 1024, 'z');
      for (int i = 0; i < 100000; ++i) {
        if (!sink(piece)) {
          finished.set_value(true);
          return;
        }
      }
      finished.set_value(false);
    };
    return r;
  });
  {
    RawClient c(port_);
    ASSERT_TRUE(c.Send(Get("/big")));
  }  // closes without reading
  auto fut = finished.get_future();
  ASSERT_EQ(fut.wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(fut.get());
}

// A download whose client stops reading: the body writer blocks in the server's sends until
// the client reads, hangs up or the read timeout passes.
class StalledDownloadTest : public ServerTest {
 protected:
  // "/stall" streams without end, "/small" streams two pieces, anything else is "ok". Each
  // stream's writer owns a token, so the test can see whether the server let go of it.
  void StartDownloads(ServerOptions options = {}) {
    StartServer(
        [this](Request& req) {
          if (req.path != "/stall" && req.path != "/small") return Text("ok");
          auto token = std::make_shared<int>(0);
          {
            std::lock_guard lock(mu_);
            tokens_.push_back(token);
          }
          Response r;
          r.content_type = "text/plain";
          const bool endless = req.path == "/stall";
          r.stream = [this, token, endless](const std::function<bool(std::string_view)>& sink) {
            {
              std::lock_guard lock(mu_);
              ++writers_started_;
            }
            cv_.notify_all();
            if (!endless) {
              sink("small ");
              sink("body");
              return;
            }
            const std::string piece(64 * 1024, 's');
            while (sink(piece)) {
            }
            {
              std::lock_guard lock(mu_);
              ++writers_cut_off_;
            }
            cv_.notify_all();
          };
          return r;
        },
        options);
  }

  bool WaitFor(const int& counter, int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 10s, [&] { return counter >= n; });
  }

  bool TokenReleased(size_t i) {
    std::lock_guard lock(mu_);
    return i < tokens_.size() && tokens_[i].expired();
  }

  std::mutex mu_;
  std::condition_variable cv_;
  int writers_started_ = 0;                 // GUARDED_BY(mu_)
  int writers_cut_off_ = 0;                 // GUARDED_BY(mu_)
  std::vector<std::weak_ptr<int>> tokens_;  // GUARDED_BY(mu_)
};

TEST_F(StalledDownloadTest, StalledDownloadsDoNotHoldTheIoThreads) {
  StartDownloads();  // two I/O threads, so two downloads at once
  RawClient first(port_), second(port_);
  ASSERT_TRUE(first.Send(Get("/stall")));
  ASSERT_TRUE(second.Send(Get("/stall")));
  ASSERT_TRUE(WaitFor(writers_started_, 2));

  // With the bodies written on the I/O threads, both would be blocked now and this request
  // would wait for the 30-second read timeout (the client gives up after 5 s).
  RawClient other(port_);
  ASSERT_TRUE(other.Send(Get("/other")));
  auto r = other.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "ok");
}

TEST_F(StalledDownloadTest, ADownloadBeyondTheLimitGets503AndItsWriterIsReleased) {
  ServerOptions options;
  options.max_streams = 1;
  StartDownloads(options);
  std::optional<RawClient> stalled(std::in_place, port_);
  ASSERT_TRUE(stalled->Send(Get("/stall")));
  ASSERT_TRUE(WaitFor(writers_started_, 1));

  RawClient refused(port_);
  ASSERT_TRUE(refused.Send(Get("/small")));
  auto r = refused.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->Header("Retry-After"), "5");
  EXPECT_EQ(r->Header("Content-Type"), "application/problem+json");
  EXPECT_NE(r->body.find("too many downloads"), std::string::npos) << r->body;
  EXPECT_TRUE(TokenReleased(1));  // the refused body's writer (an export's connection) is gone
  {
    std::lock_guard lock(mu_);
    EXPECT_EQ(writers_started_, 1);
  }
  // The connection stays usable.
  ASSERT_TRUE(refused.Send(Get("/other")));
  r = refused.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "ok");

  // Once the stalled client hangs up, its sender takes the next download.
  stalled.reset();
  ASSERT_TRUE(WaitFor(writers_cut_off_, 1));
  std::optional<RawResponse> next;
  for (int attempt = 0; attempt < 50; ++attempt) {  // the sender frees itself just after
    ASSERT_TRUE(refused.Send(Get("/small")));
    next = refused.ReadResponse();
    ASSERT_TRUE(next);
    if (next->status != 503) break;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(next->status, 200);
  EXPECT_EQ(next->body, "small body");
  EXPECT_TRUE(TokenReleased(0));
}

TEST_F(StalledDownloadTest, StopGivesUpOnAStalledDownload) {
  StartDownloads();
  RawClient stalled(port_);
  ASSERT_TRUE(stalled.Send(Get("/stall")));
  ASSERT_TRUE(WaitFor(writers_started_, 1));

  auto stopper = std::async(std::launch::async, [&] { server_->Stop(0); });
  ASSERT_EQ(stopper.wait_for(10s), std::future_status::ready);
  {
    std::lock_guard lock(mu_);
    EXPECT_EQ(writers_cut_off_, 1);
  }
  EXPECT_TRUE(TokenReleased(0));
}

TEST_F(ServerTest, SlowRequestsRunOffTheIoThreadsAndQueueBeyondTheLimit) {
  std::mutex mu;
  std::condition_variable cv;
  int entered = 0;       // GUARDED_BY(mu)
  bool release = false;  // GUARDED_BY(mu)
  ServerOptions options;
  options.slow_request = [](Method, std::string_view path) { return path.starts_with("/slow"); };
  options.max_slow_handlers = 2;
  StartServer(
      [&](Request& req) {
        if (!req.path.starts_with("/slow")) return Text("fast");
        std::unique_lock lock(mu);
        ++entered;
        cv.notify_all();
        cv.wait(lock, [&] { return release; });
        return Text(req.path);
      },
      options);
  // Whatever fails below, the blocked handlers must end, or stopping the server would wait
  // for them forever.
  struct Release {
    std::mutex& mu;
    std::condition_variable& cv;
    bool& release;
    ~Release() {
      {
        std::lock_guard lock(mu);
        release = true;
      }
      cv.notify_all();
    }
  } release_at_exit{mu, cv, release};
  RawClient a(port_), b(port_), c(port_);
  ASSERT_TRUE(a.Send(Get("/slow/a")));
  ASSERT_TRUE(b.Send(Get("/slow/b")));
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, 10s, [&] { return entered == 2; }));
  }
  ASSERT_TRUE(c.Send(Get("/slow/c")));  // both workers are busy: this one waits its turn

  // Run on the two I/O threads, the slow handlers would block both, and this request would
  // wait until they end (the client gives up after 5 s).
  RawClient fast(port_);
  ASSERT_TRUE(fast.Send(Get("/fast")));
  auto r = fast.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "fast");
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(entered, 2);  // the third is queued, not started
    release = true;
  }
  cv.notify_all();
  for (auto [client, path] :
       {std::pair<RawClient*, std::string>{&a, "/slow/a"}, {&b, "/slow/b"}, {&c, "/slow/c"}}) {
    auto done = client->ReadResponse();
    ASSERT_TRUE(done) << path;
    EXPECT_EQ(done->status, 200);
    EXPECT_EQ(done->body, path);
  }
  // The connection goes on after an answer from a worker.
  ASSERT_TRUE(a.Send(Get("/fast")));
  r = a.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "fast");
}

TEST_F(ServerTest, NoContentHasNoBody) {
  StartServer([](Request& req) {
    if (req.path == "/next") return Text("next");
    Response r = Text("ignored");
    r.status = 204;
    return r;
  });
  RawClient c(port_);
  ASSERT_TRUE(c.Send(Get("/delete")));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_FALSE(r->Header("Content-Type").has_value());
  ASSERT_TRUE(c.Send(Get("/next")));
  r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "next");
}

TEST_F(ServerTest, HeadSendsLengthButNoBody) {
  StartServer([](Request& req) { return Text(req.path == "/next" ? "next" : "twelve bytes"); });
  RawClient c(port_);
  ASSERT_TRUE(c.Send("HEAD /thing HTTP/1.1\r\nHost: t\r\n\r\n" + Get("/next")));
  auto head = c.ReadResponse(/*head_request=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->Header("Content-Length"), "12");
  // Had the server sent a body, it would be parsed as the next response.
  auto next = c.ReadResponse();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "next");
}

TEST_F(ServerTest, StatusAndExtraHeadersArePassedThrough) {
  StartServer([](Request&) {
    Response r;
    r.status = 201;
    r.body = R"({"id":"1"})";
    r.SetHeader("Location", "/api/leads/1");
    r.SetHeader("Content-Length", "999");  // framing stays the server's business
    return r;
  });
  RawClient c(port_);
  ASSERT_TRUE(c.Send(Post("/api/leads", "{}")));
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->Header("Location"), "/api/leads/1");
  EXPECT_EQ(r->Header("Content-Length"), "10");
  EXPECT_EQ(r->body, R"({"id":"1"})");
}

TEST_F(ServerTest, StopLetsInFlightRequestFinish) {
  std::promise<void> entered;
  StartServer([&](Request&) {
    entered.set_value();
    std::this_thread::sleep_for(500ms);
    return Text("done");
  });
  std::optional<RawClient> c(std::in_place, port_);
  ASSERT_TRUE(c->Send(Get("/slow")));
  entered.get_future().wait();

  auto stopper = std::async(std::launch::async, [&] { server_->Stop(10); });
  auto r = c->ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "done");
  EXPECT_EQ(r->Header("Connection"), "close");
  EXPECT_TRUE(c->ServerClosed());
  // While Stop waits, the listener is already closed.
  RawClient late(port_);
  EXPECT_FALSE(late.connected());

  c.reset();  // hang up after EOF, as a real client would
  ASSERT_EQ(stopper.wait_for(2s), std::future_status::ready);
}

TEST_F(ServerTest, StopClosesIdleKeepAliveConnectionsPromptly) {
  StartServer([](Request&) { return Text("ok"); });
  RawClient c(port_);
  ASSERT_TRUE(c.Send(Get("/")));
  ASSERT_TRUE(c.ReadResponse());

  auto start = std::chrono::steady_clock::now();
  server_->Stop(10);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_TRUE(c.ServerClosed());
  server_->Stop(10);  // idempotent
}

TEST_F(ServerTest, StopBeforeStartIsHarmless) {
  Server s(ServerOptions{}, [](Request&) { return Text("x"); });
  s.Stop();
  EXPECT_EQ(s.port(), 0);
}

TEST_F(ServerTest, IdleKeepAliveConnectionTimesOut) {
  ServerOptions options;
  options.idle_timeout_seconds = 1;
  StartServer([](Request&) { return Text("ok"); }, options);
  RawClient c(port_);
  ASSERT_TRUE(c.Send(Get("/")));
  ASSERT_TRUE(c.ReadResponse());
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.ServerClosed());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 4s);
}

TEST_F(ServerTest, IncompleteRequestTimesOut) {
  ServerOptions options;
  options.read_timeout_seconds = 1;
  StartServer([](Request&) { return Text("ok"); }, options);
  RawClient c(port_);
  ASSERT_TRUE(c.Send("GET / HTTP/1.1\r\nHost: t\r\n"));  // never finishes the header
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(c.ServerClosed());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 4s);
}

TEST_F(ServerTest, AddressInUseIsUnavailable) {
  StartServer([](Request&) { return Text("ok"); });
  ServerOptions options;
  options.host = "127.0.0.1";
  options.port = port_;
  options.threads = 1;
  Server second(options, [](Request&) { return Text("x"); });
  auto r = second.Start();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("already in use"), std::string::npos) << r.status().message();
}

TEST_F(ServerTest, ManyConcurrentClients) {
  std::atomic<int> calls{0};
  StartServer([&](Request& req) {
    ++calls;
    return Text(req.path);
  });
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t) {
    clients.emplace_back([&, t] {
      RawClient c(port_);
      for (int i = 0; i < 20; ++i) {
        std::string path = "/c" + std::to_string(t) + "/" + std::to_string(i);
        if (!c.Send(Get(path))) return;
        auto r = c.ReadResponse();
        if (r && r->body == path) ++ok;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), 160);
  EXPECT_EQ(calls.load(), 160);
}

}  // namespace
}  // namespace leadline::http
