// Local stand-ins for HubSpot and Salesforce: real HTTP servers on 127.0.0.1 (ephemeral
// ports) that answer in those APIs' documented JSON shapes, with their paging, their error
// bodies and rate limits. They check the bearer token and record every request, so tests can
// assert what a connector asked for (the incremental filter, the SOQL WHERE clause).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "http/message.h"
#include "http/server.h"

namespace leadline::testing {

struct RecordedRequest {
  std::string method;
  std::string path;
  std::vector<std::pair<std::string, std::string>> query;  // decoded
  std::string body;
  std::string authorization;
  // First value of a query parameter, or "".
  std::string Query(const std::string& key) const;
};

// What both fakes share: the server, the token check, recorded requests and switchable
// failures. Failures apply to the next requests, whatever they ask for, before the token check.
class FakeCrmServer {
 public:
  virtual ~FakeCrmServer() = default;
  FakeCrmServer(const FakeCrmServer&) = delete;
  FakeCrmServer& operator=(const FakeCrmServer&) = delete;

  // "http://127.0.0.1:<port>"
  std::string base_url() const;
  void SetToken(std::string token);
  // The next `n` requests answer 429 with the provider's rate-limit body and, when
  // `retry_after_seconds` >= 0, a Retry-After header.
  void RateLimitNext(int n, int retry_after_seconds = 1);
  // The next `n` requests answer `status` (e.g. 500, 503) with the provider's error body.
  void FailNext(int n, int status = 500);
  // The next `n` requests answer 200 with a body that is not JSON.
  void MalformNext(int n);
  std::vector<RecordedRequest> Requests() const;
  void ClearRequests();

 protected:
  explicit FakeCrmServer(std::string token) : token_(std::move(token)) {}
  // Call at the end of the derived constructor / start of its destructor.
  void Start();
  void Stop();
  // The provider's answers. Called with mu_ held.
  virtual http::Response Answer(const http::Request& r) = 0;
  virtual http::Response Unauthorized() = 0;
  virtual http::Response RateLimited() = 0;
  virtual http::Response ServerError(int status) = 0;
  // Requests answered without a bearer token (an OAuth token endpoint); nullopt: the token
  // check applies. Called with mu_ held.
  virtual std::optional<http::Response> AnswerWithoutToken(const http::Request&) {
    return std::nullopt;
  }

  // The bearer token requests must carry. Call with mu_ held.
  const std::string& token() const { return token_; }

  mutable std::mutex mu_;

 private:
  http::Response Handle(http::Request& r);
  std::string token_;                      // GUARDED_BY(mu_)
  std::vector<RecordedRequest> requests_;  // GUARDED_BY(mu_)
  int rate_limit_next_ = 0;                // GUARDED_BY(mu_)
  int retry_after_ = 1;                    // GUARDED_BY(mu_)
  int fail_next_ = 0;                      // GUARDED_BY(mu_)
  int fail_status_ = 500;                  // GUARDED_BY(mu_)
  int malform_next_ = 0;                   // GUARDED_BY(mu_)
  std::unique_ptr<http::Server> server_;
  uint16_t port_ = 0;
};

// A HubSpot contact. `properties` are the stored (string) properties; the fake adds
// hs_object_id, createdate and lastmodifieddate from the id and times.
struct FakeContact {
  std::string id;  // numeric, as HubSpot's
  std::map<std::string, std::string> properties;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
};

// HubSpot CRM v3: GET /crm/v3/objects/contacts (limit, after, properties, archived) and
// POST /crm/v3/objects/contacts/search (filterGroups with EQ/NEQ/GT/GTE/LT/LTE, sorts,
// properties, limit, after; `total`; at most `search_limit` results per query, 400 past it).
// Errors: {"status":"error","message","correlationId","category"}.
class FakeHubSpot : public FakeCrmServer {
 public:
  explicit FakeHubSpot(std::string token = "pat-na1-11111111-2222-3333-4444-555555555555");
  ~FakeHubSpot() override;
  // Adds or replaces a contact (by id).
  void Upsert(FakeContact c);
  // The most results one page returns, whatever `limit` asks (HubSpot: 100).
  void SetMaxPageSize(int n);
  void SetSearchLimit(int n);  // HubSpot: 10,000

 protected:
  http::Response Answer(const http::Request& r) override;
  http::Response Unauthorized() override;
  http::Response RateLimited() override;
  http::Response ServerError(int status) override;

 private:
  http::Response List(const http::Request& r);
  http::Response Search(const http::Request& r);
  std::string ContactJson(const FakeContact& c, const std::vector<std::string>& properties) const;
  std::map<int64_t, FakeContact> contacts_;  // by numeric id; GUARDED_BY(mu_)
  int max_page_size_ = 100;
  int search_limit_ = 10000;
};

// A Salesforce Lead: field API name -> value (strings; "Owner.Name" style names become nested
// relationship objects). LastModifiedDate comes from `last_modified_ms`.
struct FakeLead {
  std::string id;  // 18 characters, e.g. "00Q5e00000AbCdEAAV"
  std::map<std::string, std::string> fields;
  int64_t last_modified_ms = 0;
};

// Salesforce REST: GET /services/data/v59.0/query?q=SELECT ... FROM Lead [WHERE
// LastModifiedDate > <datetime>] and GET <nextRecordsUrl>. Field names are matched without
// regard to case and answered in their canonical case; an unknown field is 400 INVALID_FIELD.
// Errors: [{"message", "errorCode"}] (401 INVALID_SESSION_ID, 403 REQUEST_LIMIT_EXCEEDED).
class FakeSalesforce : public FakeCrmServer {
 public:
  explicit FakeSalesforce(std::string token = "00D5e000000TEST!AQEAQFakeSessionToken");
  ~FakeSalesforce() override;
  void Upsert(FakeLead lead);
  void SetBatchSize(int n);  // records per page (Salesforce: 2,000)
  // POST /services/oauth2/token with grant_type=refresh_token and these three answers the
  // current token ({"access_token", "instance_url", ...}); other values answer 400
  // {"error": "invalid_grant" | "invalid_client_id" | "invalid_client", "error_description"}.
  void SetRefreshGrant(std::string client_id, std::string client_secret, std::string refresh_token);

 protected:
  http::Response Answer(const http::Request& r) override;
  http::Response Unauthorized() override;
  http::Response RateLimited() override;
  http::Response ServerError(int status) override;

 private:
  std::optional<http::Response> AnswerWithoutToken(const http::Request& r) override;
  http::Response Query(const std::string& soql);
  http::Response Page(const std::string& locator, size_t offset);
  struct Cursor {
    std::vector<std::string> fields;  // canonical names
    std::vector<FakeLead> leads;      // the result, in order
  };
  std::map<std::string, FakeLead> leads_;  // GUARDED_BY(mu_)
  std::map<std::string, Cursor> cursors_;  // GUARDED_BY(mu_)
  int batch_size_ = 2000;
  std::string client_id_, client_secret_, refresh_token_;  // GUARDED_BY(mu_)
  int next_cursor_ = 1;
};

}  // namespace leadline::testing
