#include "imports/import_handlers.h"

#include <algorithm>

#include <unistd.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

#include "api/call.h"
#include "core/crypto.h"
#include "imports/errors_csv.h"
#include "imports/import_options.h"

namespace leadline::imports {
namespace {

using api::Call;
using api::JsonResponse;
using auth::Role;
using http::Method;
using http::Response;

// A job reads and applies its file in one pass, batch by batch: its progress is the share of
// the file done (a connector's fetch comes first and counts as nothing done yet).
double Progress(const ImportJob& j) {
  if (j.status == JobStatus::kCompleted) return 1.0;
  if (j.phase == "read" && j.file_bytes > 0) {
    return std::min(1.0, static_cast<double>(j.bytes_read) / static_cast<double>(j.file_bytes));
  }
  return 0.0;
}

Result<ImportOptions> OptionsFromQuery(const http::Request& req) {
  RETURN_IF_ERROR(
      api::CheckQueryNames(req, {"dedupe", "update_mode", "dnc", "source", "tags", "owner_id",
                                 "mapping", "unknown_columns", "delimiter", "format", "filename"}));
  return ParseImportOptions([&](std::string_view name) -> std::optional<std::string> {
    auto v = req.QueryParam(name);
    if (!v) return std::nullopt;
    return std::string(*v);
  });
}

// What an upload may say it is: CSV or text under the names programs use for it, XLSX, or
// bytes of no stated type (the format is detected from the content either way). A body
// without Content-Type is taken too.
bool IsFileMediaType(std::string_view type) {
  static constexpr std::string_view kTypes[] = {
      "",
      "text/csv",
      "text/plain",
      "text/tab-separated-values",
      "text/comma-separated-values",
      "application/csv",
      "application/vnd.ms-excel",  // what Windows browsers call a .csv file
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "application/octet-stream"};
  for (std::string_view t : kTypes) {
    if (type == t) return true;
  }
  return false;
}

// The uploaded file: spooled by the server, or (servers without spooling, tests) the
// in-memory body written to a temporary file. Deleted when the holder goes away unless the
// service moved it.
class UploadFile {
 public:
  static Result<UploadFile> From(http::Request& req) {
    if (!IsFileMediaType(api::MediaType(req))) {
      return Status(StatusCode::kUnsupportedMediaType,
                    "send the CSV or XLSX file itself as the request body (Content-Type "
                    "text/csv or application/vnd.openxmlformats-officedocument."
                    "spreadsheetml.sheet)");
    }
    UploadFile f;
    if (!req.body_file.empty()) {
      f.path_ = req.body_file;
      f.owned_ = false;  // the server removes what is left
    } else {
      char tmpl[] = "/tmp/leadline-upload-XXXXXX";
      int fd = ::mkstemp(tmpl);
      if (fd < 0) return Internal("cannot create a temporary file");
      const std::string& body = req.body;
      size_t off = 0;
      while (off < body.size()) {
        ssize_t n = ::write(fd, body.data() + off, body.size() - off);
        if (n <= 0) {
          ::close(fd);
          ::unlink(tmpl);
          return Internal("cannot write a temporary file");
        }
        off += static_cast<size_t>(n);
      }
      ::close(fd);
      f.path_ = tmpl;
      f.owned_ = true;
    }
    if (::access(f.path_.c_str(), R_OK) != 0 || FileEmpty(f.path_)) {
      return Status(StatusCode::kValidationFailed, "the upload is empty")
          .AddFieldError("file", "the request body is empty: send the file as the body");
    }
    return f;
  }
  UploadFile() = default;
  UploadFile(UploadFile&& o) noexcept : path_(std::move(o.path_)), owned_(o.owned_) {
    o.path_.clear();
  }
  ~UploadFile() {
    if (owned_ && !path_.empty()) ::unlink(path_.c_str());
  }
  const std::string& path() const { return path_; }

 private:
  static bool FileEmpty(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) return true;
    int c = std::fgetc(f);
    std::fclose(f);
    return c == EOF;
  }
  std::string path_;
  bool owned_ = false;
};

Response JobResponse(int status, const ImportJob& job) {
  json::Writer w;
  ImportJobJson(w, job);
  return JsonResponse(status, w.Take());
}

Result<Response> HandleCreate(Call& c, ImportService& imports) {
  ASSIGN_OR_RETURN(ImportOptions options, OptionsFromQuery(c.request));
  ASSIGN_OR_RETURN(UploadFile upload, UploadFile::From(c.request));
  // Query parameters are UTF-8 text by now (api::Authed).
  std::string filename =
      TruncateUtf8(std::string(c.request.QueryParam("filename").value_or("")), 500);
  ASSIGN_OR_RETURN(ImportJob job, imports.CreateUploadJob(c.principal, upload.path(),
                                                          std::move(filename), std::move(options)));
  Response r = JobResponse(202, job);
  r.SetHeader("Location", "/api/imports/" + job.id);
  return r;
}

void WriteStagedValues(json::Writer& w, const StagedRow& row) {
  const leads::LeadInput& l = row.lead;
  w.BeginObject();
  auto text = [&](std::string_view key, const leads::FieldValue<std::string>& f) {
    if (f.value) w.Field(key, *f.value);
  };
  text("first_name", l.first_name);
  text("last_name", l.last_name);
  text("email", l.email);
  text("phone", l.phone);
  text("company", l.company);
  text("title", l.title);
  text("status", l.status);
  text("source", l.source);
  text("timezone", l.timezone);
  if (l.lead_score.value) w.Key("lead_score").Int(*l.lead_score.value);
  if (l.tags.value) {
    w.Key("tags").BeginArray();
    for (const auto& t : *l.tags.value) w.String(t);
    w.EndArray();
  }
  if (l.assigned_to.value) {
    w.Field("assigned_to", *l.assigned_to.value);
  } else if (row.owner_ref) {
    w.Field("assigned_to", *row.owner_ref);
  }
  if (row.external_id) w.Field("external_id", *row.external_id);
  if (l.metadata_json.value) w.Key("metadata").Raw(*l.metadata_json.value);
  w.EndObject();
}

// "phone: not a number; email: ..." back into field errors.
void WriteRowErrors(json::Writer& w, const std::optional<std::string>& error) {
  w.Key("errors").BeginArray();
  if (error) {
    std::string_view rest = *error;
    while (!rest.empty()) {
      size_t end = rest.find("; ");
      std::string_view one = rest.substr(0, end);
      size_t colon = one.find(": ");
      w.BeginObject();
      if (colon != std::string_view::npos &&
          one.substr(0, colon).find(' ') == std::string_view::npos) {
        w.Field("field", one.substr(0, colon)).Field("message", one.substr(colon + 2));
      } else {
        w.Key("field").Null().Field("message", one);
      }
      w.EndObject();
      if (end == std::string_view::npos) break;
      rest.remove_prefix(end + 2);
    }
  }
  w.EndArray();
}

Result<Response> HandlePreview(Call& c, ImportService& imports) {
  ASSIGN_OR_RETURN(ImportOptions options, OptionsFromQuery(c.request));
  ASSIGN_OR_RETURN(UploadFile upload, UploadFile::From(c.request));
  ASSIGN_OR_RETURN(Preview p, imports.PreviewFile(c.principal, upload.path(), options));
  json::Writer w;
  w.BeginObject();
  w.Field("format", p.format == FileFormat::kXlsx ? "xlsx" : "csv");
  w.Field("delimiter", p.delimiter == '\t' ? std::string("tab") : std::string(1, p.delimiter));
  w.Key("columns").BeginArray();
  for (const auto& col : p.columns) {
    w.BeginObject().Field("header", col.header);
    w.Key("field");
    if (col.field.empty()) {
      w.Null();
    } else {
      w.String(col.field);
    }
    w.Key("guessed").Bool(col.guessed).EndObject();
  }
  w.EndArray();
  w.Key("fields").BeginArray();
  for (std::string_view f : kImportFields) w.String(f);
  w.EndArray();
  w.Key("rows").BeginArray();
  for (const auto& r : p.rows) {
    w.BeginObject();
    w.Key("line").Int(r.row.line);
    w.Key("values");
    WriteStagedValues(w, r.row);
    WriteRowErrors(w, r.row.error);
    w.Field("outcome", r.outcome);
    w.OptionalField("existing_id", r.existing_id);
    w.Key("duplicate_of_line");
    if (r.duplicate_of_line) {
      w.Int(*r.duplicate_of_line);
    } else {
      w.Null();
    }
    w.Key("dnc").Bool(r.dnc);
    w.EndObject();
  }
  w.EndArray();
  w.Key("total_rows_previewed").Int(static_cast<int64_t>(p.rows.size()));
  w.EndObject();
  return JsonResponse(200, w.Take());
}

Result<Response> HandleList(Call& c, ImportService& imports) {
  RETURN_IF_ERROR(api::CheckQueryNames(c.request, {"cursor", "limit"}));
  ASSIGN_OR_RETURN(int limit, api::Limit(c.request));
  std::optional<std::string> cursor = api::QueryValue(c.request, "cursor");
  ASSIGN_OR_RETURN(auto page, imports.List(c.principal, limit, cursor));
  json::Writer w;
  w.BeginObject().Key("data").BeginArray();
  for (const auto& job : page.items) ImportJobJson(w, job);
  w.EndArray();
  w.OptionalField("next_cursor", page.next_cursor);
  w.EndObject();
  return JsonResponse(200, w.Take());
}

Result<Response> HandleErrorsCsv(Call& c, ImportService& imports) {
  const std::string id = std::string(c.params.Get("id"));
  ASSIGN_OR_RETURN(ImportJob job, imports.Get(c.principal, id));
  ASSIGN_OR_RETURN(std::string header, imports.HeaderLine(c.principal, id));
  const char d = job.options.delimiter.value_or(',');
  Response r;
  r.status = 200;
  r.content_type = "text/csv; charset=utf-8";
  r.SetHeader("Content-Disposition", "attachment; filename=\"import-" + job.id + "-errors.csv\"");
  r.SetHeader("Cache-Control", "no-store");
  auth::Principal principal = c.principal;
  r.stream = [&imports, principal, header = std::move(header), d,
              id = job.id](const std::function<bool(std::string_view)>& sink) {
    const ErrorsCsv csv(header, d);
    std::string buf = "\xEF\xBB\xBF";  // BOM: spreadsheet programs then read UTF-8 right
    buf += csv.HeaderLine();
    bool open = true;
    Status st = imports.ForEachFailedRow(
        principal, id, [&](int64_t line, std::string_view raw, std::string_view error) {
          csv.AppendRow(buf, raw, line, error);
          if (buf.size() >= 64 * 1024) {
            open = sink(buf);
            buf.clear();
          }
          return open;
        });
    if (!st.ok()) throw std::runtime_error("errors.csv failed: " + st.ToString());
    if (open && !buf.empty()) sink(buf);
  };
  return r;
}

}  // namespace

bool IsUploadRequest(http::Method method, std::string_view path) {
  return method == Method::kPost && (path == "/api/imports" || path == "/api/imports/preview");
}

void ImportJobJson(json::Writer& w, const ImportJob& j) {
  w.BeginObject();
  w.Field("id", j.id);
  w.Field("kind", j.kind);
  w.Field("status", JobStatusName(j.status));
  w.Field("phase", j.phase);
  w.Field("filename", j.filename);
  w.Key("options");
  WriteImportOptions(w, j.options);
  w.Key("file_bytes").Int(j.file_bytes);
  w.Key("total_rows").Int(j.counts.total_rows);
  w.Key("processed_rows").Int(j.counts.processed_rows);
  w.Key("created").Int(j.counts.created);
  w.Key("updated").Int(j.counts.updated);
  w.Key("skipped").Int(j.counts.skipped);
  w.Key("failed").Int(j.counts.failed);
  w.Key("dnc_flagged").Int(j.counts.dnc_flagged);
  w.Key("progress").Double(Progress(j));
  w.Key("rows_per_second");
  if (j.elapsed_seconds > 0) {
    w.Double(static_cast<double>(j.counts.processed_rows) / j.elapsed_seconds);
  } else {
    w.Null();
  }
  w.OptionalField("error", j.error);
  w.OptionalField("connector_id", j.connector_id);
  w.OptionalField("created_by", j.created_by);
  w.Field("created_at", j.created_at);
  w.OptionalField("started_at", j.started_at);
  w.OptionalField("finished_at", j.finished_at);
  w.OptionalField("undone_at", j.undone_at);
  w.Key("undo");
  if (j.undo_summary) {
    w.Raw(*j.undo_summary);
  } else {
    w.Null();
  }
  w.Key("links").BeginObject();
  w.Field("self", "/api/imports/" + j.id);
  w.Field("errors", "/api/imports/" + j.id + "/errors.csv");
  w.EndObject();
  w.EndObject();
}

void RegisterImportRoutes(http::Router& router, auth::AuthService& auth, ImportService& imports) {
  // Imports write thousands of leads at once: managers and admins only.
  auto manager = [&auth](api::Handler fn) {
    return api::Authed(auth, Role::kManager, std::move(fn));
  };
  router.Add(Method::kPost, "/api/imports",
             manager([&imports](Call& c) { return HandleCreate(c, imports); }));
  router.Add(Method::kPost, "/api/imports/preview",
             manager([&imports](Call& c) { return HandlePreview(c, imports); }));
  router.Add(Method::kGet, "/api/imports",
             manager([&imports](Call& c) { return HandleList(c, imports); }));
  router.Add(Method::kGet, "/api/imports/{id}", manager([&imports](Call& c) -> Result<Response> {
               ASSIGN_OR_RETURN(ImportJob job,
                                imports.Get(c.principal, std::string(c.params.Get("id"))));
               return JobResponse(200, job);
             }));
  router.Add(Method::kPost, "/api/imports/{id}/cancel",
             manager([&imports](Call& c) -> Result<Response> {
               ASSIGN_OR_RETURN(ImportJob job,
                                imports.Cancel(c.principal, std::string(c.params.Get("id"))));
               return JobResponse(200, job);
             }));
  router.Add(Method::kPost, "/api/imports/{id}/undo",
             manager([&imports](Call& c) -> Result<Response> {
               ASSIGN_OR_RETURN(UndoOutcome out,
                                imports.Undo(c.principal, std::string(c.params.Get("id"))));
               json::Writer w;
               w.BeginObject().Key("job");
               ImportJobJson(w, out.job);
               w.Key("deleted").Int(out.result.deleted);
               w.Key("restored").Int(out.result.restored);
               w.Key("kept").Int(out.result.kept);
               w.EndObject();
               return JsonResponse(200, w.Take());
             }));
  router.Add(Method::kGet, "/api/imports/{id}/errors.csv",
             manager([&imports](Call& c) { return HandleErrorsCsv(c, imports); }));
}

}  // namespace leadline::imports
