// A synthetic national Do-Not-Call registry download for the benchmark: lines "NPA,NNNNNNN"
// (CR LF, like the registry's files), every number once, ascending within an area code.
//
//   dnc_registry_gen OUT NUMBERS AREA_CODES SEED [AREAS_OUT]
//
// Area codes are the first AREA_CODES valid NANP codes (NXX with N = 2..9, not N11, not
// N9X), each with NUMBERS / AREA_CODES numbers (the remainder spread over the first ones),
// drawn uniformly from its 8,000,000 dialable seven-digit numbers (exchange 2..9) by
// selection sampling (Knuth's algorithm S), so the count is exact and nothing repeats.
// AREAS_OUT, when given, receives the area codes, one per line. Prints one JSON line:
// numbers, area codes, bytes.
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

// xoshiro256** (Blackman and Vigna): fast and good enough for sampling.
struct Rng {
  uint64_t s[4];
  explicit Rng(uint64_t seed) {
    for (auto& w : s) {  // splitmix64
      seed += 0x9E3779B97F4A7C15ull;
      uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      w = z ^ (z >> 31);
    }
  }
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t Next() {
    uint64_t r = Rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0], s[3] ^= s[1], s[1] ^= s[2], s[0] ^= s[3], s[2] ^= t, s[3] = Rotl(s[3], 45);
    return r;
  }
  // Uniform in [0, n).
  uint64_t Below(uint64_t n) { return static_cast<uint64_t>((__uint128_t(Next()) * n) >> 64); }
};

bool ValidNpa(int npa) {
  int a = npa / 100, b = npa / 10 % 10, c = npa % 10;
  return a >= 2 && !(b == 1 && c == 1) && b != 9;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s OUT NUMBERS AREA_CODES SEED [AREAS_OUT]\n", argv[0]);
    return 2;
  }
  const uint64_t total = std::strtoull(argv[2], nullptr, 10);
  const int areas = std::atoi(argv[3]);
  Rng rng(std::strtoull(argv[4], nullptr, 10));
  std::vector<int> npas;
  for (int npa = 201; npa <= 999 && static_cast<int>(npas.size()) < areas; ++npa) {
    if (ValidNpa(npa)) npas.push_back(npa);
  }
  constexpr uint64_t kDialable = 8'000'000;  // exchanges 200..999
  if (npas.empty() || total > kDialable * npas.size()) {
    std::fprintf(stderr, "dnc_registry_gen: too many numbers for %zu area codes\n", npas.size());
    return 2;
  }
  FILE* out = std::fopen(argv[1], "wb");
  if (out == nullptr) {
    std::perror(argv[1]);
    return 1;
  }
  if (argc > 5) {
    FILE* a = std::fopen(argv[5], "w");
    if (a == nullptr) {
      std::perror(argv[5]);
      return 1;
    }
    for (int npa : npas) std::fprintf(a, "%d\n", npa);
    std::fclose(a);
  }
  std::vector<char> buf(1 << 22);
  size_t used = 0;
  uint64_t bytes = 0, written = 0;
  const uint64_t per = total / npas.size(), extra = total % npas.size();
  for (size_t i = 0; i < npas.size(); ++i) {
    uint64_t want = per + (i < extra ? 1 : 0);
    char prefix[4];
    std::snprintf(prefix, sizeof prefix, "%03d", npas[i]);
    for (uint64_t n = 0, left = kDialable; want > 0; ++n, --left) {
      if (rng.Below(left) >= want) continue;
      --want;
      uint64_t number = 2'000'000 + n;
      if (buf.size() - used < 16) {
        std::fwrite(buf.data(), 1, used, out);
        bytes += used;
        used = 0;
      }
      char* p = buf.data() + used;
      std::memcpy(p, prefix, 3);
      p[3] = ',';
      for (int d = 10; d >= 4; --d) {
        p[d] = static_cast<char>('0' + number % 10);
        number /= 10;
      }
      p[11] = '\r';
      p[12] = '\n';
      used += 13;
      ++written;
    }
  }
  std::fwrite(buf.data(), 1, used, out);
  bytes += used;
  if (std::fclose(out) != 0) {
    std::perror(argv[1]);
    return 1;
  }
  std::printf("{\"numbers\": %" PRIu64 ", \"area_codes\": %zu, \"bytes\": %" PRIu64 "}\n", written,
              npas.size(), bytes);
  return 0;
}
