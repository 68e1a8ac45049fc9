#include "dnc/load_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <ctime>

#include "core/process.h"
#include "db/transaction.h"
#include "dnc/archive.h"
#include "dnc/registry.h"
#include "phone/phone.h"

namespace leadline::dnc {
namespace {

using Clock = std::chrono::steady_clock;

constexpr db::Query kOrgRegion{"dnc_load_org_region",
                               "SELECT default_region FROM organizations WHERE id = $1"};
constexpr db::Query kLiftExpired{
    "dnc_load_lift_expired",
    "UPDATE dnc_list SET removed_at = now(), removal_reason = 'expired, re-added' "
    "WHERE organization_id = app_current_org() AND phone = ANY($1::text[]) "
    "AND removed_at IS NULL AND expires_at <= now()"};
constexpr db::Query kInsertMany{
    "dnc_load_insert_many",
    "INSERT INTO dnc_list (organization_id, phone, source, reason) "
    "SELECT app_current_org(), p, 'import', NULLIF($2, '') FROM unnest($1::text[]) p "
    "ON CONFLICT (organization_id, phone) WHERE removed_at IS NULL DO NOTHING RETURNING 1"};

// A read-only mapping of a whole file; pages are dropped as the loader moves past them.
class MappedFile {
 public:
  static Result<std::unique_ptr<MappedFile>> Open(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NotFound("cannot open " + path);
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      return InvalidArgument(path + " is not a regular file");
    }
    auto f = std::unique_ptr<MappedFile>(new MappedFile());
    f->size_ = static_cast<size_t>(st.st_size);
    if (f->size_ > 0) {
      void* p = ::mmap(nullptr, f->size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (p == MAP_FAILED) {
        ::close(fd);
        return Internal("cannot map " + path);
      }
      f->data_ = static_cast<const char*>(p);
      ::madvise(p, f->size_, MADV_SEQUENTIAL);
    }
    ::close(fd);
    return f;
  }
  ~MappedFile() {
    if (data_) ::munmap(const_cast<char*>(data_), size_);
  }
  std::string_view bytes() const { return {data_, size_}; }
  // Drops the whole pages inside `range` from memory (they are re-read if touched again).
  void Release(std::string_view range) const {
    const long page = ::sysconf(_SC_PAGESIZE);
    uintptr_t begin = reinterpret_cast<uintptr_t>(range.data());
    uintptr_t end = begin + range.size();
    begin = (begin + page - 1) / page * page;
    end = end / page * page;
    if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
  }

 private:
  MappedFile() = default;
  const char* data_ = nullptr;
  size_t size_ = 0;
};

std::string Rate(uint64_t lines, Clock::time_point start) {
  double s = std::chrono::duration<double>(Clock::now() - start).count();
  char buf[128];
  std::snprintf(buf, sizeof buf, "%llu lines, %.1f s, %.0f lines/s",
                static_cast<unsigned long long>(lines), s, s > 0 ? lines / s : 0.0);
  return buf;
}

Result<LoadFileSummary> LoadOrgList(db::Pool& pool, const MappedFile& file,
                                    const LoadFileOptions& o,
                                    const std::function<void(const std::string&)>& progress) {
  auto start = Clock::now();
  std::string region;
  {
    db::TenantContext ctx;
    ctx.organization_id = o.organization_id;
    ASSIGN_OR_RETURN(auto tx, db::Transaction::Begin(pool, ctx));
    ASSIGN_OR_RETURN(db::Rows r, tx.Exec(kOrgRegion, db::Params().Add(o.organization_id)));
    RETURN_IF_ERROR(tx.Commit());
    if (r.empty()) return NotFound("no organization " + o.organization_id);
    region = r.Get(0, 0);
  }
  db::TenantContext ctx;
  ctx.organization_id = o.organization_id;
  ctx.change_source = "import";
  LoadFileSummary s;
  std::vector<std::string> batch;
  int reported = 0;
  auto flush = [&]() -> Status {
    if (batch.empty()) return Status::Ok();
    std::string array = "{";
    for (const auto& p : batch) array += (array.size() > 1 ? "," : "") + p;
    array += '}';
    Status st = db::RunInTransaction(pool, ctx, [&](db::Transaction& tx) -> Status {
      RETURN_IF_ERROR(tx.Exec(kLiftExpired, db::Params().Add(array)).status());
      ASSIGN_OR_RETURN(db::Rows r, tx.Exec(kInsertMany, db::Params().Add(array).Add(o.reason)));
      s.added += static_cast<uint64_t>(r.size());
      s.skipped += batch.size() - static_cast<uint64_t>(r.size());
      return Status::Ok();
    });
    batch.clear();
    return st;
  };
  std::string carry;
  auto line = [&](std::string_view l) -> Status {
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (l.empty()) return Status::Ok();
    ++s.lines;
    std::string_view field = l.substr(0, l.find(','));
    if (field.size() >= 2 && field.front() == '"' && field.back() == '"') {
      field = field.substr(1, field.size() - 2);
    }
    auto e164 = phone::NormalizeToE164(field, region);
    if (!e164.ok()) {
      bool header = s.lines == 1;
      if (!header) {
        ++s.skipped;
        if (reported++ < 5) {
          progress("line " + std::to_string(s.lines) + " skipped: " + e164.status().message());
        }
      }
      return Status::Ok();
    }
    batch.push_back(*e164);
    if (batch.size() >= 5000) RETURN_IF_ERROR(flush());
    if (s.lines % 1000000 == 0) progress(Rate(s.lines, start));
    return Status::Ok();
  };
  RETURN_IF_ERROR(ForEachChunk(
      file.bytes(),
      [&](std::string_view, std::string_view chunk) -> Status {
        while (!chunk.empty()) {
          size_t nl = chunk.find('\n');
          if (nl == std::string_view::npos) {
            carry.append(chunk);
            break;
          }
          if (carry.empty()) {
            RETURN_IF_ERROR(line(chunk.substr(0, nl)));
          } else {
            carry.append(chunk.substr(0, nl));
            RETURN_IF_ERROR(line(carry));
            carry.clear();
          }
          chunk.remove_prefix(nl + 1);
        }
        return Status::Ok();
      },
      [&](std::string_view consumed) { file.Release(consumed); }));
  if (!carry.empty()) RETURN_IF_ERROR(line(carry));
  RETURN_IF_ERROR(flush());
  s.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  progress(Rate(s.lines, start) + ", done");
  return s;
}

}  // namespace

std::string TodayUtc() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

Result<LoadFileSummary> LoadFile(db::Pool& pool, const LoadFileOptions& o,
                                 const std::function<void(const std::string&)>& progress) {
  ASSIGN_OR_RETURN(auto file, MappedFile::Open(o.path));
  if (!o.national) {
    if (o.organization_id.empty()) return InvalidArgument("--org is required without --national");
    ASSIGN_OR_RETURN(LoadFileSummary s, LoadOrgList(pool, *file, o, progress));
    s.peak_rss_mb = PeakRssMb();
    return s;
  }
  auto start = Clock::now();
  RegistryLoadOptions ro;
  ro.kind = o.changes ? RegistryFileKind::kChanges : RegistryFileKind::kFull;
  ro.as_of = o.as_of.empty() ? TodayUtc() : o.as_of;
  ro.source_name = std::string(o.path).substr(0, 500);
  ro.loaded_by = "cli";
  ro.progress = [&](const RegistryProgress& p) {
    char buf[96];
    std::snprintf(buf, sizeof buf, ", %.0f MB read", static_cast<double>(p.bytes) / 1e6);
    progress(Rate(p.lines, start) + buf);
  };
  const MappedFile& mapped = *file;
  ro.release = [&mapped](std::string_view consumed) { mapped.Release(consumed); };
  progress("loading " + o.path + (o.changes ? " (changes)" : " (full)") + " as of " + ro.as_of);
  ASSIGN_OR_RETURN(RegistryLoadResult r, LoadRegistry(pool, file->bytes(), ro));
  LoadFileSummary s;
  s.lines = r.lines;
  s.added = r.added;
  s.removed = r.removed;
  s.skipped = r.skipped;
  s.area_codes = r.area_codes;
  s.total = r.total;
  s.parse_seconds = r.parse_seconds;
  s.store_seconds = r.store_seconds;
  s.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  s.peak_rss_mb = PeakRssMb();
  return s;
}

}  // namespace leadline::dnc
